import type { CommandModule } from 'yargs';
import * as tf from '../../util/tfjs.js';
import { installedBackends } from '../../backend/select.js';
import { findDatasets } from '../../data/index.js';
import { availableEngines, nativeEngineStatus } from '../../kernels/index.js';
import { VERSION } from '../../util/version.js';
import { printJson, useBackend, withBackendOption, withJsonOption, type BackendArgs } from '../options.js';

interface InfoArgs extends BackendArgs {
  json: boolean;
}

const info: CommandModule<object, InfoArgs> = {
  command: 'info',
  describe: 'Version, chosen tfjs backend and the kernels that train on it, installed backends, binary inference engines and data sets found',
  builder: (y) => withJsonOption(withBackendOption(y)),
  handler: async (argv) => {
    const choice = await useBackend(argv);
    const result = {
      version: VERSION,
      node: process.version,
      backend: choice.name,
      tfjsVersion: tf.version_core,
      installedBackends: installedBackends(),
      skippedBackends: choice.skipped,
      training: choice.training ?? null,
      engines: availableEngines(),
      native: nativeEngineStatus(),
      datasets: findDatasets(),
    };
    if (argv.json) {
      printJson(result);
      return;
    }
    console.log(`groupnas ${result.version} (node ${result.node}, tfjs ${result.tfjsVersion})`);
    console.log(`backend:   ${result.backend}`);
    console.log(`installed: ${result.installedBackends.join(', ')}`);
    for (const s of result.skippedBackends) console.log(`skipped:   ${s.name}: ${s.reason}`);
    const t = result.training;
    if (t !== null) {
      console.log(t.kind === 'native' ? `training:  native kernels, ${t.path} path, ${t.threads} thread(s)` : `training:  wasm kernels (${t.reason})`);
    }
    const native = result.native;
    console.log(`engines:   ${result.engines.join(', ')} (binary inference, fastest first)`);
    console.log(
      native.available ? `native:    ${native.path} path; addon ${native.addon.reason}: ${native.addon.path}` : `native:    unavailable: ${native.reason}`,
    );
    console.log('data sets:');
    for (const d of result.datasets) console.log(`  ${d.name.padEnd(22)} ${d.location}`);
  },
};

export default info;
