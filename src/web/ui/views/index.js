// The console's views, in navigation order (see app.js for the contract).
import { adminView } from '/console/views/admin.js';

export const views = [adminView];
