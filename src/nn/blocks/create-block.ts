import type { Scope } from '../parameters.js';
import { BasicBlock } from './basic-block.js';
import type { Block, BlockSpec } from './block.js';
import { BottleneckBlock } from './bottleneck-block.js';
import { PlainBlock } from './plain-block.js';
import { SkipBlock } from './skip-block.js';

/** The block class for a spec's kind. */
export function createBlock(scope: Scope, spec: BlockSpec): Block {
  switch (spec.kind) {
    case 'basic':
      return new BasicBlock(scope, spec);
    case 'bottleneck':
      return new BottleneckBlock(scope, spec);
    case 'plain':
      return new PlainBlock(scope, spec);
    case 'skip':
      return new SkipBlock(scope, spec);
  }
}
