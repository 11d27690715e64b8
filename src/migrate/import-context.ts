import type { ApplyContext } from '../kinds/apply/context.js';
import type { PlannedNode } from '../plan/types.js';
import type { ImportJournal } from './journal.js';

/** What the kinds see of an import, with the journal and the plan whole for the walk itself. */
export interface ImportContext extends ApplyContext {
  journal: ImportJournal;
  plan: ReadonlyMap<string, PlannedNode>;
}
