/**
 * The request path: `system.info` and `auth.me` beside raw Hono twins doing the same work,
 * `/healthz`, and `auth.login` with /healthz probed while logins saturate the CPU.
 */
import { createTollboothClient } from '@tollbooth/sdk';
import { type LoadResult, median, type RequestSpec, runLoad } from '../lib/load';
import { sdkWireRequest } from '../lib/sdk-wire';
import { httpFigure, type SuiteDefinition } from '../lib/suite';

const BENCH_PASSWORD = 'bench passphrase 1';
/** A few connections probing /healthz while logins saturate the CPU. */
const PROBE_CONNECTIONS = 5;

export const requestPath: SuiteDefinition = {
  name: 'request-path',
  async setup({ api, baseline, settings }) {
    // One account: its access token for auth.me (valid 15 minutes, longer than the figures
    // that use it take) and its password for the login load.
    const email = `bench-${Date.now()}@example.test`;
    const registered = await createTollboothClient({ url: api.url }).auth.register.mutate({
      email,
      password: BENCH_PASSWORD,
    });
    // The bench runs in the default REGISTRATION_MODE=open, which signs the account in.
    if (registered.verificationRequired) throw new Error('bench needs REGISTRATION_MODE=open');
    const tokens = { accessToken: registered.accessToken, refreshToken: registered.refreshToken };
    const login = await sdkWireRequest(api.url, (client) =>
      client.auth.login.mutate({ email, password: BENCH_PASSWORD }),
    );

    return {
      figures: [
        httpFigure(
          'system.info',
          'system.info (SDK wire protocol)',
          api.url,
          await sdkWireRequest(api.url, (client) => client.system.info.query()),
        ),
        httpFigure('raw.info', 'raw Hono route, same query', baseline.url, {
          method: 'GET',
          path: '/info',
        }),
        httpFigure(
          'auth.me',
          'auth.me with a valid access token',
          api.url,
          await sdkWireRequest(api.url, (client) => client.auth.me.query(), tokens),
        ),
        httpFigure('raw.me', 'raw Hono: jose verify + user query', baseline.url, {
          method: 'GET',
          path: '/me',
          headers: { authorization: `Bearer ${tokens.accessToken}` },
        }),
        httpFigure('healthz', 'GET /healthz', api.url, { method: 'GET', path: '/healthz' }),
        httpFigure('auth.login', 'auth.login (argon2id m=19MiB t=2 p=1)', api.url, login),
      ],
      ratios: [
        {
          label: 'system.info / raw Hono',
          numerator: 'system.info',
          denominator: 'raw.info',
          target: 0.5,
        },
        {
          label: 'auth.me / raw jose+pg',
          numerator: 'auth.me',
          denominator: 'raw.me',
          target: 1.0,
        },
      ],
      // /healthz while logins run at full load: hashing must not starve the event loop (and
      // the health check). Probed with a few connections, idle and loaded, per run.
      async after() {
        const healthzSpec: RequestSpec = { method: 'GET', path: '/healthz' };
        const idleProbe: LoadResult[] = [];
        const loadedProbe: LoadResult[] = [];
        const loginUnderProbe: LoadResult[] = [];
        for (let run = 1; run <= settings.runs; run++) {
          idleProbe.push(
            await runLoad(api.url, healthzSpec, settings.durationSeconds, PROBE_CONNECTIONS),
          );
          const [loginLoad, probe] = await Promise.all([
            runLoad(api.url, login, settings.durationSeconds),
            runLoad(api.url, healthzSpec, settings.durationSeconds, PROBE_CONNECTIONS),
          ]);
          loginUnderProbe.push(loginLoad);
          loadedProbe.push(probe);
          console.log(
            `  run ${run}/${settings.runs} /healthz p99 idle ${idleProbe.at(-1)?.p99Ms} ms, under login load ${probe.p99Ms} ms (logins ${loginLoad.requestsPerSecond.toFixed(0)} req/s)`,
          );
        }
        const idleP99Ms = median(idleProbe.map((r) => r.p99Ms));
        const underLoginLoadP99Ms = median(loadedProbe.map((r) => r.p99Ms));
        const healthzUnderLoginLoad = {
          connections: PROBE_CONNECTIONS,
          idleP99Ms,
          underLoginLoadP99Ms,
          ratio: Math.round((underLoginLoadP99Ms / Math.max(idleP99Ms, 1)) * 100) / 100,
          target: '< 5×',
          loginRequestsPerSecond: Math.round(
            median(loginUnderProbe.map((r) => r.requestsPerSecond)),
          ),
        };
        console.log(
          `/healthz p99 under full login load: ${underLoginLoadP99Ms} ms vs ${idleP99Ms} ms idle (${healthzUnderLoginLoad.ratio}×, target < 5×; ${PROBE_CONNECTIONS} probe connections)`,
        );
        return { healthzUnderLoginLoad };
      },
    };
  },
};
