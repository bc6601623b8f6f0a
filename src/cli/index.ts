/** The `groupnas` command line as a function (bin/groupnas.js calls it): arguments in, exit code out. */
export { main } from './main.js';
