package dev.craft.mongotestserver;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;
import de.bwaldvogel.mongo.exception.KeyConstraintError;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A unique index that also serves queries naming more fields than its keys.
 *
 * <p>mongo-java-server 1.47 uses a unique index only for a query whose fields are exactly the index's keys; a
 * query such as {@code {job_name: "a", version: 3}} (a compare-and-set) scans the whole collection although the
 * unique index on {@code job_name} names the one document it can match. A real MongoDB serves it from that index.
 * This wrapper lets the server do the same: when the query gives every key of the index a plain value, it looks
 * the document up by those keys alone and leaves the other conditions to the server's query matcher, which checks
 * every candidate against the whole query. Found by a unique key, the candidates are a superset of the matches, so
 * the answer is the one a scan gives; only the work differs. Every other call goes to the wrapped index unchanged.
 */
final class KeyLookupIndex<P> extends Index<P> {
  private final Index<P> inner;
  private final List<String> keyNames;

  KeyLookupIndex(Index<P> inner, List<IndexKey> keys, boolean sparse) {
    super(inner.getName(), keys, sparse);
    this.inner = inner;
    this.keyNames = keys.stream().map(IndexKey::getKey).toList();
  }

  /**
   * The query restricted to this index's keys, or {@code null} when the query does not give each of them a plain
   * value (no operators, arrays, sub-documents or null: those keep the server's own rules, which may scan).
   */
  private Document keyQuery(Document query) {
    if (query.size() <= keyNames.size()) {
      return null; // exactly the keys (or fewer): the wrapped index decides as it always did
    }
    Document keyQuery = new Document();
    for (String key : keyNames) {
      Object value = query.get(key);
      if (!isPlainValue(value)) {
        return null;
      }
      keyQuery.put(key, value);
    }
    return keyQuery;
  }

  /** The scalar types the server's BSON decoder produces (a BSON date arrives as an Instant). */
  private static boolean isPlainValue(Object value) {
    return value instanceof String
        || value instanceof Number
        || value instanceof ObjectId
        || value instanceof Instant
        || value instanceof Boolean
        || value instanceof UUID;
  }

  @Override
  public boolean canHandle(Document query) {
    Document keyQuery = keyQuery(query);
    return keyQuery != null ? inner.canHandle(keyQuery) : inner.canHandle(query);
  }

  @Override
  public Iterable<P> getPositions(Document query) {
    Document keyQuery = keyQuery(query);
    return inner.getPositions(keyQuery != null ? keyQuery : query);
  }

  @Override
  public P getPosition(Document document) {
    return inner.getPosition(document);
  }

  @Override
  public void checkAdd(Document document, MongoCollection<P> collection) {
    inner.checkAdd(document, collection);
  }

  @Override
  public void add(Document document, P position, MongoCollection<P> collection) {
    inner.add(document, position, collection);
  }

  @Override
  public P remove(Document document) {
    return inner.remove(document);
  }

  @Override
  public long getCount() {
    return inner.getCount();
  }

  @Override
  public boolean isEmpty() {
    return inner.isEmpty();
  }

  @Override
  public long getDataSize() {
    return inner.getDataSize();
  }

  @Override
  public void checkUpdate(Document oldDocument, Document newDocument, MongoCollection<P> collection) {
    inner.checkUpdate(oldDocument, newDocument, collection);
  }

  @Override
  public void updateInPlace(Document oldDocument, Document newDocument, P position, MongoCollection<P> collection)
      throws KeyConstraintError {
    inner.updateInPlace(oldDocument, newDocument, position, collection);
  }

  @Override
  public void drop() {
    inner.drop();
  }

  @Override
  public boolean isUnique() {
    return inner.isUnique();
  }
}
