// `npm test` runs this first. No npm package ships a Redis server, so when `redis-server`
// is missing we install Debian's package ourselves when we can (root + apt-get), and
// otherwise stop with the exact command to run. Never a silent skip.
import { execFileSync, spawnSync } from 'node:child_process'

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0

if (!has('redis-server')) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
  if (isRoot && has('apt-get')) {
    console.error('[ensure-redis] redis-server not found: installing Debian package redis-server (apt-get)')
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' })
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'redis-server'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    })
  } else {
    console.error('[ensure-redis] redis-server is required by the tests and is not on PATH.')
    console.error('[ensure-redis] install it, e.g.:  sudo apt-get install -y redis-server')
    process.exit(1)
  }
}
