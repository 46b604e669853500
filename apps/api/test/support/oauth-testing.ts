/** OAuth test helpers for other packages' tests (the SDK's): a fake GitHub and a browser. */
export { GITHUB_CLIENT, startFakeGitHub } from './fake-github';
export { codeFrom, consent, deliverCallback, signInThroughProvider } from './oauth-browser';
