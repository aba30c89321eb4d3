// The integration scripts as the api offers them (trail init prints them).
export { integrationScript, SUPPORTED_SHELLS, type ShellKind } from '../shell/integration.js';
