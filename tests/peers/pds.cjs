// A Bluesky PDS with an in-memory did:plc directory, both bound to 127.0.0.1, for tests.
// Run by tests/src/peers/pds.rs with NODE_PATH at the cached install
// (scripts/peers/bluesky-nostr.sh); environment: PLC_PORT, PDS_PORT, PDS_DATA (a fresh dir).
// Prints "ready" once both serve; SIGTERM stops them.
'use strict';

const net = require('net');
const crypto = require('crypto');

// Every server this process starts listens on 127.0.0.1 only, whatever it asks for.
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' && typeof args[1] !== 'string') {
    args.splice(1, 0, '127.0.0.1');
  } else if (args[0] && typeof args[0] === 'object' && !args[0].host && !args[0].path) {
    args[0] = { ...args[0], host: '127.0.0.1' };
  }
  return listen.apply(this, args);
};

const { PlcServer, Database } = require('@did-plc/server');
const { PDS, envToCfg, envToSecrets, readEnv } = require('@atproto/pds');

async function main() {
  const plcPort = Number(process.env.PLC_PORT);
  const data = process.env.PDS_DATA;
  const plc = PlcServer.create({ db: Database.mock(), port: plcPort });
  await plc.start();
  Object.assign(process.env, {
    PDS_HOSTNAME: 'localhost',
    PDS_DEV_MODE: 'true',
    PDS_DATA_DIRECTORY: data,
    PDS_BLOBSTORE_DISK_LOCATION: `${data}/blobs`,
    PDS_DID_PLC_URL: `http://127.0.0.1:${plcPort}`,
    PDS_SERVICE_HANDLE_DOMAINS: '.test',
    PDS_JWT_SECRET: crypto.randomBytes(16).toString('hex'),
    PDS_ADMIN_PASSWORD: 'admin-pass',
    PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX: crypto.randomBytes(32).toString('hex'),
    PDS_INVITE_REQUIRED: 'false',
    PDS_RATE_LIMITS_ENABLED: 'false',
    PDS_CRAWLERS: '',
    PDS_BSKY_APP_VIEW_URL: '',
    PDS_BSKY_APP_VIEW_DID: '',
    LOG_ENABLED: 'false',
  });
  const env = readEnv();
  const pds = await PDS.create(envToCfg(env), envToSecrets(env));
  await pds.start();
  process.stdout.write('ready\n');
  const stop = async () => {
    await pds.destroy();
    await plc.destroy();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e) => {
  process.stderr.write(`${e.stack || e}\n`);
  process.exit(1);
});
