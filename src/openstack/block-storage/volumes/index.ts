export * from './types.js';
export * from './requests.js';
export * from './waiters.js';
export * as urls from './urls.js';
