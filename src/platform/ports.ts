// The production wiring of the use cases' ports.
import type { Ports } from '../sync/ports';
import { systemClock } from './clock';
import { forgeExternal } from './egress';
import { forgeJira } from './jira';
import { forgeQueue } from './queue';
import { forgeStore } from './store';

export const forgePorts: Ports = { jira: forgeJira, store: forgeStore, queue: forgeQueue, clock: systemClock, external: forgeExternal };
