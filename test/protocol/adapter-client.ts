import { DebugClient } from '@vscode/debugadapter-testsupport';
import * as path from 'path';
import { repoRoot } from '../support/repo';

/** A DebugClient on the real standalone adapter (dist/adapter.js), as any DAP client would start it. */
export async function startClient(): Promise<DebugClient> {
  const dc = new DebugClient('node', path.join(repoRoot(), 'dist', 'adapter.js'), 'ringside');
  dc.defaultTimeout = 20000;
  await dc.start();
  return dc;
}
