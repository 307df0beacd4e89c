// Builds the issue panel and issue actions into the folder manifest.yml names as the `issue-page` resource.
import { customUiPage } from '../custom-ui.vite';

export default customUiPage(import.meta.url);
