export * from './types.js';
export * from './requests.js';
export * as urls from './urls.js';
