/**
 * `pnpm db:codegen [--verify]`: regenerates (or checks) src/schema.generated.ts against a
 * throwaway database migrated from scratch, so the types describe the migrations, not
 * whatever state a developer's database happens to be in.
 */
import { runCodegen } from '../src/codegen';
import { createTemplateDatabase, startTestServer } from '../src/testing';

const mode = process.argv.includes('--verify') ? 'verify' : 'write';
const server = await startTestServer(process.env.DATABASE_URL);
try {
  const template = await createTemplateDatabase(server);
  const url = new URL(server.adminUrl);
  url.pathname = `/${template}`;
  const result = await runCodegen(url.toString(), mode);
  process.stdout.write(result.output);
  if (!result.ok) {
    console.error(
      mode === 'verify'
        ? 'src/schema.generated.ts does not match the migrations: run `pnpm db:codegen`.'
        : 'kysely-codegen failed.',
    );
    process.exitCode = 1;
  }
} finally {
  await server.stop();
}
