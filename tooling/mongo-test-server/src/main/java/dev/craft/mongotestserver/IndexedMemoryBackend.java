package dev.craft.mongotestserver;

import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.DatabaseResolver;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.oplog.Oplog;
import io.netty.channel.Channel;
import java.util.List;

/**
 * mongo-java-server's in-memory backend with two changes, each in its own class: unique indexes (and {@code _id})
 * also serve queries that name more fields than the index's keys ({@link KeyLookupIndex}), and query answers are
 * copies taken under the collection's lock ({@link ReplyCopyingCollection}). Everything else is the stock backend.
 */
final class IndexedMemoryBackend extends MemoryBackend {
  @Override
  public MemoryDatabase openOrCreateDatabase(String databaseName) {
    return new IndexedMemoryDatabase(databaseName, getCursorRegistry());
  }

  private static final class IndexedMemoryDatabase extends MemoryDatabase {
    IndexedMemoryDatabase(String databaseName, CursorRegistry cursorRegistry) {
      super(databaseName, cursorRegistry);
    }

    @Override
    public Document handleCommand(
        Channel channel, String command, Document query, DatabaseResolver resolver, Oplog oplog) {
      if (!command.equalsIgnoreCase("find")) {
        return super.handleCommand(channel, command, query, resolver, oplog);
      }
      return ReplyCopyingCollection.answeringFind(() -> super.handleCommand(channel, command, query, resolver, oplog));
    }

    @Override
    protected MemoryCollection openOrCreateCollection(String collectionName, CollectionOptions options) {
      return new ReplyCopyingCollection(this, collectionName, options, cursorRegistry);
    }

    @Override
    protected Index<Integer> openOrCreateUniqueIndex(
        String collectionName, String indexName, List<IndexKey> keys, boolean sparse) {
      return new KeyLookupIndex<>(super.openOrCreateUniqueIndex(collectionName, indexName, keys, sparse), keys, sparse);
    }
  }
}
