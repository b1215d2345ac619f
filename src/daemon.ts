/** The daemon: lifecycle in ./daemon/daemon.ts, its parts beside it (instances, readers, reload apply, server). */
export { Daemon, type DaemonOptions } from './daemon/daemon.js';
