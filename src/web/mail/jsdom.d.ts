// jsdom ships no types and @types/jsdom is not a dependency; the sanitiser uses one
// constructor and the window's DOM, typed locally in sanitize.ts.
declare module 'jsdom' {
  export class JSDOM {
    constructor(html?: string);
    readonly window: unknown;
  }
}
