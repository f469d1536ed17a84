// Installs the workspace's dependencies when a fresh clone has none yet, so
// `npm start` and `npm test` work as the first command after `git clone`.
import { execSync } from 'node:child_process'
import { existsSync } from 'node:fs'

if (!existsSync(new URL('../node_modules/.package-lock.json', import.meta.url))) {
  console.log('redproc: installing dependencies (npm ci)…')
  execSync('npm ci --no-fund --no-audit', { stdio: 'inherit', cwd: new URL('..', import.meta.url) })
}
