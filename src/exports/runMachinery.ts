// The parts that drive a run (./batchChain.ts, ./batchMerger.ts, ./runCompletion.ts), made when a
// run first needs them: their modules load with the first export, not at window start (esbuild.js,
// buildSplit). Each starts empty, so making it later changes nothing. Part of ./exportRunner.ts.
import type * as BatchChainModule from './batchChain';
import type * as BatchMergerModule from './batchMerger';
import type * as RunCompletionModule from './runCompletion';
import type { RunContext } from './runContext';

export class RunMachinery {
  private made?: {
    chain: BatchChainModule.BatchChain;
    merger: BatchMergerModule.BatchMerger;
    completion: RunCompletionModule.RunCompletion;
  };

  constructor(private readonly ctx: RunContext) {}

  get chain(): BatchChainModule.BatchChain {
    return this.parts().chain;
  }

  get merger(): BatchMergerModule.BatchMerger {
    return this.parts().merger;
  }

  get completion(): RunCompletionModule.RunCompletion {
    return this.parts().completion;
  }

  /** Disposes what was made; makes nothing. */
  dispose(): void {
    this.made?.merger.dispose();
  }

  private parts(): NonNullable<RunMachinery['made']> {
    if (!this.made) {
      /* eslint-disable @typescript-eslint/no-require-imports */
      const { BatchChain } = require('./batchChain') as typeof BatchChainModule;
      const { BatchMerger } = require('./batchMerger') as typeof BatchMergerModule;
      const { RunCompletion } = require('./runCompletion') as typeof RunCompletionModule;
      /* eslint-enable @typescript-eslint/no-require-imports */
      const merger = new BatchMerger(this.ctx);
      this.made = {
        chain: new BatchChain(this.ctx),
        merger,
        completion: new RunCompletion(this.ctx, merger),
      };
    }
    return this.made;
  }
}
