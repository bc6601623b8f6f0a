import type { Argv, CommandModule } from 'yargs';
import { startDashboard } from '../../serve/index.js';
import { checkNumber } from '../options.js';

interface ServeArgs {
  runs: string;
  port: number;
  host: string;
}

const serve: CommandModule<object, ServeArgs> = {
  command: 'serve',
  describe: 'a live dashboard in the browser: runs, searches as they run (α, loss, Pareto), trainings, and searched models running in the page',
  builder: (y) =>
    y
      .option('runs', { type: 'string', default: 'runs', describe: 'the directory of run directories to show (read-only; nothing outside it is served)' })
      .option('port', { type: 'number', default: 8080, describe: 'port to listen on (0: any free port)' })
      .option('host', {
        type: 'string',
        default: '127.0.0.1',
        describe: 'address to bind; the default keeps the dashboard on this machine (0.0.0.0 shows your runs to the network)',
      })
      .example('$0 serve --runs runs', 'then open http://127.0.0.1:8080')
      .example('$0 serve --runs runs --port 0', 'any free port (printed)') as Argv<ServeArgs>,
  handler: async (argv) => {
    checkNumber('port', argv.port, { integer: true, min: 0, below: 65536 });
    const dashboard = await startDashboard({ runs: argv.runs, port: argv.port, host: argv.host });
    process.stderr.write(`groupnas: serving the runs in ${argv.runs} at ${dashboard.url} (read-only; Ctrl-C stops)\n`);
    process.stdout.write(`${dashboard.url}\n`);
    await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    await dashboard.close();
  },
};

export default serve;
