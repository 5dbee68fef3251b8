/**
 * The standalone debug adapter: DAP over stdin/stdout, for any DAP client (nvim-dap, Emacs dap-mode, the protocol
 * tests). The same session class VS Code runs inline.
 */
import { DebugSession } from '@vscode/debugadapter';
import { RingsideSession } from './debug/session';

class StandaloneSession extends RingsideSession {
  constructor() {
    super();
  }
}

DebugSession.run(StandaloneSession);
