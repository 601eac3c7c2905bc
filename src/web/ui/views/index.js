// The console's views, in navigation order (see app.js for the contract).
export const views = [];
