package dev.craft.mongotestserver;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.bson.Document;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * mongo-java-server's in-memory collection whose answers ({@code find}, findAndModify) are copies of the stored
 * documents taken under the collection's lock.
 *
 * <p>In mongo-java-server 1.47 a {@code find} answers with the stored documents themselves, and the server encodes
 * that answer on its network thread after the collection's lock is released; an update on another connection
 * rewrites a stored document in place (cleared, then filled again). When the two meet, the encoder fails with a
 * {@code ConcurrentModificationException} (the client's command gets no answer) or sends a document caught half
 * rewritten. Seen with three schedulers on one server: a listing went unanswered and its replica stopped with slots
 * still due. Here a {@code find}'s answer is copied while the lock is held, so what is encoded is the state at the
 * query. In the query code only a client's {@code find} is copied: updates, findAndModify and deletes reach the same
 * code to find the stored documents they change in place, and must get those documents, not copies (findAndModify's
 * answer is copied afterwards, see {@link #findAndModify}).
 */
final class ReplyCopyingCollection extends MemoryCollection {
  /**
   * Set while this thread answers a client's {@code find} (see {@link #answeringFind}); not while an update, a
   * findAndModify or a delete looks up the stored documents it then changes in place through the same query code.
   */
  private static final ThreadLocal<Boolean> ANSWERING_FIND = ThreadLocal.withInitial(() -> Boolean.FALSE);

  ReplyCopyingCollection(
      MongoDatabase database, String collectionName, CollectionOptions options, CursorRegistry cursorRegistry) {
    super(database, collectionName, options, cursorRegistry);
  }

  /** Runs a client's {@code find} command: the documents it answers with are copies. */
  static <T> T answeringFind(Supplier<T> command) {
    ANSWERING_FIND.set(Boolean.TRUE);
    try {
      return command.get();
    } finally {
      ANSWERING_FIND.set(Boolean.FALSE);
    }
  }

  /**
   * A findAndModify answers with the document it changed (or removed): the live stored document for "after", which
   * the server would otherwise encode after the lock is released, so a caller could see a later caller's write (or
   * the failures above). Copied here while the lock is still held (synchronized, as the method it overrides).
   */
  @Override
  public synchronized Document findAndModify(Document query) {
    return super.findAndModify(query).cloneDeeply();
  }

  @Override
  protected QueryResult createQueryResult(List<Document> matchedDocuments, int numberToReturn) {
    if (!ANSWERING_FIND.get()) {
      return super.createQueryResult(matchedDocuments, numberToReturn); // a write's own lookup: the stored documents
    }
    List<Document> copies = new ArrayList<>(matchedDocuments.size());
    for (Document document : matchedDocuments) {
      copies.add(document.cloneDeeply()); // still under this collection's lock (handleQuery is synchronized)
    }
    return super.createQueryResult(copies, numberToReturn);
  }
}
