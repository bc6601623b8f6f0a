export * from './space/index.js';
