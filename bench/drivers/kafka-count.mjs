// Shared by the Kafka baseline and driver: how many offsets a topic's partitions hold (the end
// offset minus the start offset of each, summed), read with the Admin API of the client the plugin
// uses. Cheap (no record is fetched). For a topic written without transactions every offset is a
// record; a transaction adds one commit marker per partition it wrote to.
import { Admin, FetchIsolationLevels, ListOffsetTimestamps } from '@platformatic/kafka';

/** The offsets held by `topic` (committed data only: read_committed's last stable offset). */
export async function countOffsets(bootstrap, topic) {
  const admin = new Admin({ clientId: 'gax-bench-count', bootstrapBrokers: [bootstrap], timeout: 10_000 });
  try {
    const metadata = await admin.metadata({ topics: [topic], forceUpdate: true });
    const info = metadata.topics.get(topic);
    if (info === undefined) throw new Error(`topic ${topic} does not exist`);
    const partitions = info.partitions.map((_, partitionIndex) => partitionIndex);
    const at = async (timestamp) => {
      const listed = await admin.listOffsets({
        topics: [
          { name: topic, partitions: partitions.map((partitionIndex) => ({ partitionIndex, timestamp })) },
        ],
        isolationLevel: FetchIsolationLevels.READ_COMMITTED,
      });
      return listed[0].partitions;
    };
    const starts = await at(ListOffsetTimestamps.EARLIEST);
    const ends = await at(ListOffsetTimestamps.LATEST);
    let total = 0n;
    for (const end of ends) {
      const start = starts.find((s) => s.partitionIndex === end.partitionIndex)?.offset ?? 0n;
      total += end.offset - start;
    }
    return Number(total);
  } finally {
    await admin.close();
  }
}
