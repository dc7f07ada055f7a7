/**
 * Preloaded (`--import`) into an orghub process by startTogether(): loads the server's modules, then holds the
 * CLI until a line arrives on stdin. Loading the modules through tsx takes seconds and varies by as much between
 * processes, so without the gate processes started together would reach their migrations that far apart; held
 * here, they all start migrating within a few ms of each other, as compiled replicas coming up together do.
 */
await import('../../src/server.js');
process.stdout.write('orghub loaded, held at the start gate\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
process.stdin.destroy();
