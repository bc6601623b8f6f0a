import type { CommandModule } from 'yargs';
import { bopsCost, costRange, floatMacsCost, humanCount, loadConfig, spaceFromConfig, summarize, type CostRange } from '../../space/index.js';
import { printJson, withJsonOption } from '../options.js';

interface SpaceArgs {
  config: string;
  set: string[];
  json: boolean;
}

const space: CommandModule<object, SpaceArgs> = {
  command: 'space',
  describe: 'Print the search space a config describes: decisions, choices, size, cost range',
  builder: (y) =>
    withJsonOption(
      y
        .option('config', {
          type: 'string',
          demandOption: true,
          describe: 'search configuration: a JSON file or a bundled config by name (groupnas search --list-configs)',
        })
        .option('set', { type: 'string', array: true, default: [] as string[], describe: 'override a config field: key.path=value (repeatable)' }),
    ),
  handler: (argv) => {
    const config = loadConfig(argv.config, argv.set);
    const s = spaceFromConfig(config);
    const decisions = s.decisions.map((d) => {
      const sites = s.variables.filter((v) => v.decision === d).map((v) => v.site);
      return { name: d.name, description: d.description, scope: d.scope, sites, choices: [...d.choices], relaxation: d.relaxation.kind };
    });
    const ranges: CostRange[] = [costRange(s, bopsCost), costRange(s, floatMacsCost)];
    const templateCost = summarize(s.template).totals;
    const result = {
      name: s.name,
      template: s.template.name,
      variables: s.variables.length,
      decisions,
      size: s.size().toString(),
      log10Size: s.log10Size(),
      constraints: s.constraints.map((c) => c.name),
      costRanges: ranges.map(({ cost, unit, min, max, exact }) => ({ cost, unit, min, max, exact })),
      templateCost: { bops: templateCost.bops, floatMacs: templateCost.floatMacs },
      // Predicted latency needs the kernels' look-up table; spaceFromConfig takes it as a cost function.
      predictedLatency: null,
    };
    if (argv.json) {
      printJson(result);
      return;
    }
    console.log(`search space ${result.name} (template ${result.template})`);
    console.log('');
    console.log(`${'decision'.padEnd(16)}${'scope'.padEnd(10)}${'relaxation'.padEnd(16)}${'sites'.padEnd(8)}choices`);
    for (const d of decisions) {
      console.log(
        `${d.name.padEnd(16)}${d.scope.padEnd(10)}${d.relaxation.padEnd(16)}${String(d.sites.length).padEnd(8)}${d.choices.join(', ')} (${d.choices.length})`,
      );
    }
    console.log('');
    console.log(`variables:     ${result.variables}`);
    console.log(`architectures: ${result.size} (10^${result.log10Size.toFixed(2)})`);
    if (result.constraints.length > 0) console.log(`constraints:   ${result.constraints.join('; ')}`);
    for (const r of ranges) {
      console.log(`${r.cost.padEnd(14)} ${humanCount(r.min)} .. ${humanCount(r.max)} ${r.unit}${r.exact ? '' : ' (coordinate search)'}`);
    }
    console.log(`template:      ${humanCount(templateCost.bops)} BOPs, ${humanCount(templateCost.floatMacs)} float MACs`);
    console.log('latency:       not predicted here (needs the kernels’ latency table)');
  },
};

export default space;
