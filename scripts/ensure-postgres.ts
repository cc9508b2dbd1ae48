/**
 * pretest: the replica tests run FerretDB on PostgreSQL, a store several bots can share, with
 * Debian's server started on a temp directory. Installs Debian's `postgresql` when it is missing
 * and this runs as root on Debian; otherwise says in one sentence what to install.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { postgresBinDir } from '../test/support/postgres.js';

if (!postgresBinDir()) {
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get') && existsSync('/etc/debian_version')) {
    process.stdout.write("Installing Debian's postgresql package for the replica tests…\n");
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'postgresql'], { stdio: 'inherit', env });
  } else {
    process.stderr.write("The replica tests need a PostgreSQL server: install Debian's postgresql package (sudo apt-get install postgresql) and run npm test again.\n");
    process.exit(1);
  }
}
