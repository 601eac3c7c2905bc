// The console's views, in navigation order (see app.js for the contract).
import mail from '/console/views/mail.js';

export const views = [mail];
