// Builds the admin page into the folder manifest.yml names as the `admin-page` resource.
import { customUiPage } from '../custom-ui.vite';

export default customUiPage(import.meta.url);
