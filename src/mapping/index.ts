// The pure mapping layer: configuration schema, transforms, field type checks, presets and the
// plan of a change. No I/O here; the sync layer carries the plans out.
export * from './schema';
export * from './config';
export * from './hash';
export * from './transforms';
export * from './field-check';
export * from './projects';
export * from './plan';
export * from './presets';
export * from './status-route';
export * from './conflicts';
export * from './push-url';
export * from './bulk-plan';
export * from './hand-link';
export * from './tool-description';
export * from './tool-types';
