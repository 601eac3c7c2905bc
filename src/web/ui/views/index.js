// The console's views, in navigation order (see app.js for the contract).
import { composeView } from '/console/views/compose.js';

export const views = [composeView];
