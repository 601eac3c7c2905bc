// The console's views, in navigation order (see app.js for the contract).
import { accountView } from '/console/views/account.js';
import { adminView } from '/console/views/admin.js';
import { composeView } from '/console/views/compose.js';
import { filesView } from '/console/views/files.js';
import mail from '/console/views/mail.js';

export const views = [mail, composeView, filesView, accountView, adminView];
