import { packageTestConfig } from '../../vitest.shared.ts';

export default packageTestConfig({ globalSetup: ['@tollbooth/db/vitest-global-setup'] });
