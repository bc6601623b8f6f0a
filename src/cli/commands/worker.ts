import type { Argv, CommandModule } from 'yargs';
import { startQueueWorker } from '../../queue/index.js';
import { checkNumber } from '../options.js';

interface WorkerArgs {
  queue: string;
  concurrency: number;
  data?: string[];
  'work-dir'?: string;
  'stall-seconds': number;
  'grace-seconds': number;
}

const worker: CommandModule<object, WorkerArgs> = {
  command: 'worker',
  describe: 'evaluate candidates for searches on other hosts: take jobs from a Redis queue (groupnas search --queue), train, return metrics and model',
  builder: (y) =>
    y
      .option('queue', {
        type: 'string',
        demandOption: true,
        describe: 'the Redis the searches use: redis://[:password@]host:port[/db], or rediss:// for TLS',
      })
      .option('concurrency', { type: 'number', default: 1, describe: 'trainings at once on this host (worker threads, as the local pool)' })
      .option('data', {
        type: 'string',
        array: true,
        describe: "this host's copy of a data set (repeatable); jobs are matched to data by checksum, and refused when none matches",
      })
      .option('work-dir', { type: 'string', describe: "teacher copies and scratch runs (default: the system's temp directory/groupnas-worker)" })
      .option('stall-seconds', {
        type: 'number',
        default: 30,
        describe: 'a job whose worker stops answering for this long (killed, cut off) goes back to the queue for another worker',
      })
      .option('grace-seconds', {
        type: 'number',
        default: 10,
        describe: 'on SIGTERM/Ctrl-C, running jobs get this long to finish; the rest go back to the queue',
      })
      .example('$0 worker --queue redis://10.0.0.5:6379', 'serve every search that sends its candidates to that Redis')
      .example(
        '$0 worker --queue redis://:secret@head:6379/2 --concurrency 2 --data /data/fashion-mnist',
        'two trainings at once, local data',
      ) as Argv<WorkerArgs>,
  handler: async (argv) => {
    checkNumber('concurrency', argv.concurrency, { integer: true, min: 1 });
    checkNumber('stall-seconds', argv['stall-seconds'], { min: 1 });
    checkNumber('grace-seconds', argv['grace-seconds'], { min: 0 });
    const log = (line: string) => process.stderr.write(`groupnas: ${line}\n`);
    const w = startQueueWorker({
      queue: argv.queue,
      concurrency: argv.concurrency,
      ...(argv.data ? { data: argv.data } : {}),
      ...(argv['work-dir'] !== undefined ? { workDir: argv['work-dir'] } : {}),
      stallSeconds: argv['stall-seconds'],
      graceSeconds: argv['grace-seconds'],
      log,
    });
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        log(`${signal}: stopping (running jobs get ${argv['grace-seconds']} s to finish, then go back to the queue)`);
        resolve();
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    await w.stop();
    const s = w.stats;
    log(`worker stopped: ${s.completed} jobs completed, ${s.failed} failed, ${s.handedBack} handed back`);
  },
};

export default worker;
