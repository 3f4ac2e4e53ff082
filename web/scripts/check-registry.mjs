// Tests the screen registry (src/registry.ts) and the app's own list of
// modules (src/modules/index.ts) in Node, before the bundle is built:
//  - the route guard: a screen that is not public shows the login to nobody
//    logged in, "not allowed" to a role it does not list, and itself to a
//    role it lists; a public screen shows itself to anyone; the more fixed
//    path wins whatever the order;
//  - the menu: a role sees only entries whose screens it may open;
//  - the modules: no two routes with one path, no menu entry without its
//    route or shown to a role the route refuses, every label in both
//    string files, and the menu as staff know it.
// The modules are bundled with esbuild (Vite's own) with the chart library
// and style sheets left out, and run against a minimal browser stand-in.
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const src = new URL('../src/', import.meta.url).pathname;
const stubs = {
  name: 'stubs',
  setup(b) {
    b.onResolve({ filter: /^uplot(\/.*)?$|\.css$/ }, (a) => ({ path: a.path, namespace: 'stub' }));
    b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'export default {}', loader: 'js' }));
  },
};
const dir = mkdtempSync(join(tmpdir(), 'td-registry-'));
let failed = 0;
const expect = (cond, what) => { if (!cond) { failed++; console.error(`check-registry: expected ${what}`); } };
try {
  writeFileSync(join(dir, 'entry.ts'),
    `export * from ${JSON.stringify(join(src, 'registry.ts'))};\nexport { modules } from ${JSON.stringify(join(src, 'modules/index.ts'))};\n`);
  await build({
    entryPoints: [join(dir, 'entry.ts')], outfile: join(dir, 'out.mjs'), bundle: true, format: 'esm', platform: 'neutral',
    mainFields: ['module', 'main'], jsx: 'automatic', jsxImportSource: 'preact', plugins: [stubs], logLevel: 'error',
    nodePaths: [new URL('../node_modules', import.meta.url).pathname],
  });
  const store = new Map();
  Object.assign(globalThis, {
    location: { pathname: '/', search: '' },
    history: { pushState() {} },
    localStorage: { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => store.set(k, v) },
    window: { addEventListener() {}, scrollTo() {} },
    document: { documentElement: {} },
  });
  const R = await import(pathToFileURL(join(dir, 'out.mjs')).href);

  // The guard and the menu, on modules made up for the test.
  const v = () => null;
  const fake = [
    { name: 'a', section: 'nav.section.x', routes: [{ path: '/x/:id', view: v, roles: R.ALL }, { path: '/x/new', view: v, roles: ['admin'] },
      { path: '/lead', view: v, roles: R.LEADS }, { path: '/survey/:token', view: v, roles: [], public: true }],
      menu: [{ path: '/x/new', label: 'nav.desk' }, { path: '/lead', label: 'nav.desk' }] },
  ];
  const kind = (p, role) => R.resolve(fake, p, role).kind;
  expect(kind('/lead', null) === 'login', 'a screen that is not public to show the login to nobody');
  expect(kind('/nowhere', null) === 'login', 'an unknown path to show the login to nobody');
  expect(kind('/lead', 'associate') === 'forbidden', 'a manager\'s screen to be not allowed to an associate');
  expect(kind('/lead', 'manager') === 'view', 'a manager\'s screen to show to a manager');
  expect(kind('/nowhere', 'admin') === 'not_found', 'an unknown path to be not found');
  expect(kind('/survey/abc', null) === 'view' && R.resolve(fake, '/survey/abc?x=1', null).params.token === 'abc', 'a public screen without a login, with its params');
  expect(kind('/survey/abc', 'associate') === 'view', 'a public screen to anyone logged in');
  expect(R.resolve(fake, '/x/new', 'admin').route.path === '/x/new', 'the fixed path before the parameter');
  expect(kind('/x/new', 'associate') === 'forbidden', 'the fixed path to keep its roles');
  expect(R.resolve(fake, '/x/7', 'associate').params.id === '7', 'the parameter');
  expect(R.menuFor(fake, 'associate').length === 0, 'an associate to see neither the admin\'s nor the manager\'s entry');
  expect(R.menuFor(fake, 'manager').map((e) => e.path).join() === '/lead', 'a manager to see the manager\'s entry only');
  expect(R.problems(fake).length === 0, `no problems in the made-up modules: ${R.problems(fake)}`);
  const bad = [{ name: 'b', section: 'nav.section.x', routes: [{ path: '/p/:a', view: v, roles: ['admin'] }, { path: '/p/:b', view: v, roles: R.ALL }],
    menu: [{ path: '/p/:a', label: 'x', roles: R.ALL }, { path: '/q', label: 'x' }] }];
  expect(R.problems(bad).length === 3, `three problems in the bad modules: ${R.problems(bad).join('; ')}`);

  // The app's own modules.
  const nl = JSON.parse(readFileSync(join(src, 'i18n/nl.json'), 'utf8'));
  const en = JSON.parse(readFileSync(join(src, 'i18n/en.json'), 'utf8'));
  for (const p of R.problems(R.modules)) expect(false, `no problem in src/modules: ${p}`);
  for (const e of R.modules.flatMap((m) => m.menu ?? []))
    expect(e.label in nl && e.label in en, `the menu label ${e.label} in nl.json and en.json`);
  const menu = (role) => R.menuFor(R.modules, role).map((e) => e.label.replace('nav.', '')).join(' ');
  expect(menu('associate') === 'desk notes cases repairs book outreach holds nps secrets cards quiz coaching', `the associate's menu (${menu('associate')})`);
  expect(menu('manager') === 'desk notes cases repairs approvals book outreach holds collections followups nps staff_surveys secrets cards quiz dashboard referrals daily goodwill coaching staff', `the manager's menu (${menu('manager')})`);
  expect(menu('admin') === 'desk notes cases repairs approvals book outreach holds collections followups nps staff_surveys secrets cards quiz dashboard referrals daily goodwill coaching stores staff policy imports', `the admin's menu (${menu('admin')})`);
  // The same menu in its sections, as the frame draws it.
  const sections = (role) => R.menuSectionsFor(R.modules, role)
    .map((x) => `${x.label.replace('nav.section.', '')}: ${x.entries.map((e) => e.label.replace('nav.', '')).join(' ')}`).join(' | ');
  expect(sections('associate') === 'service: desk notes cases repairs | clienteling: book outreach holds | feedback: nps secrets cards quiz | insight: coaching',
    `the associate's menu in sections (${sections('associate')})`);
  expect(sections('manager') === 'service: desk notes cases repairs approvals | clienteling: book outreach holds collections | feedback: followups nps staff_surveys secrets cards quiz | insight: dashboard referrals daily goodwill coaching | admin: staff',
    `the manager's menu in sections (${sections('manager')})`);
  for (const m of R.modules.filter((x) => x.section))
    expect(m.section in nl && m.section in en, `the menu section ${m.section} in nl.json and en.json`);
  const loose = [{ name: 'c', section: 'nav.section.x', routes: [{ path: '/c', view: v, roles: R.ALL }, { path: '/d', view: v, roles: R.ALL }],
    menu: [{ path: '/c', label: 'x' }, { path: '/d', label: 'x', section: 'nav.section.nowhere' }] },
    { name: 'd', routes: [{ path: '/e', view: v, roles: R.ALL }], menu: [{ path: '/e', label: 'x' }] }];
  expect(R.problems(loose).length === 2, `an entry of a section no module has, and one of no section, as problems: ${R.problems(loose).join('; ')}`);
  const routes = R.modules.flatMap((m) => m.routes);
  expect(routes.filter((r) => r.public).map((r) => r.path).join() === '/login,/staff-survey/:token', 'the login and the staff survey\'s shared link as the public screens');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (failed) process.exit(1);
console.log('registry: guard, menu and modules checked');
