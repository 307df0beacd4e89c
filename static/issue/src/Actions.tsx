// The issue actions: "Link to a record…" and "Unlink from Tandem", each in Jira's action dialog.
import SectionMessage from '@atlaskit/section-message';

export function LinkAction() {
  return <SectionMessage title="Link to a record">Linking is not available yet.</SectionMessage>;
}

export function UnlinkAction() {
  return <SectionMessage title="Unlink from Tandem">Unlinking is not available yet.</SectionMessage>;
}
