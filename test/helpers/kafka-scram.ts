import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureKafka } from './kafka.js';

/**
 * Creates a SCRAM-SHA-512 user on a test broker through its PLAINTEXT listener, with Kafka's own
 * Java Admin client (`alterUserScramCredentials`), run by the JDK's source launcher: the JS
 * client has no call for it, and a KRaft broker keeps SCRAM users in its metadata log.
 */
const SOURCE = `
import java.util.*;
import org.apache.kafka.clients.admin.*;

public class AddScramUser {
  public static void main(String[] args) throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", args[0]);
    try (Admin admin = Admin.create(props)) {
      ScramCredentialInfo info = new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096);
      admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(args[1], info, args[2]))).all().get();
      for (int i = 0; i < 100; i++) {
        var described = admin.describeUserScramCredentials(List.of(args[1])).all().get();
        if (!described.isEmpty()) return;
        Thread.sleep(100);
      }
      throw new IllegalStateException("SCRAM user not visible");
    }
  }
}
`;

export async function addScramUser(bootstrap: string, user: string, password: string): Promise<void> {
  const home = await ensureKafka();
  const dir = await mkdtemp(join(tmpdir(), 'gax-scram-'));
  try {
    const file = join(dir, 'AddScramUser.java');
    await writeFile(file, SOURCE);
    await promisify(execFile)('java', ['-cp', `${join(home, 'libs')}/*`, file, bootstrap, user, password], {
      timeout: 120_000,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
