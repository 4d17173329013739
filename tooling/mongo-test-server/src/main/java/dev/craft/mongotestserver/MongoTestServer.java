package dev.craft.mongotestserver;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Starts mongo-java-server's in-memory backend on 127.0.0.1 for the test command.
 *
 * <p>Usage: {@code java -jar mongo-test-server.jar [PORT] [--no-stdin-watch]}. PORT 0 (the default) picks a
 * free port. Once bound, exactly one line {@code LISTENING 127.0.0.1:<port>} is printed on stdout (logs go to
 * stderr). The process exits when its stdin reaches end-of-file, so a parent that dies (and so closes the pipe)
 * never leaves a server behind, and on SIGTERM/SIGINT. {@code --no-stdin-watch} turns the stdin watch off for
 * running it by hand with stdin not attached.
 *
 * <p>The server reports MongoDB 4.4 (wire version 9) instead of mongo-java-server's default (version 5.0.0
 * with wire version 8), because the Node.js driver 7 refuses servers below wire version 9. In mongo-java-server
 * 1.47 the version is only reported (isMaster, buildInfo, serverStatus); no behaviour depends on it.
 */
public final class MongoTestServer {
  private static final String HOST = "127.0.0.1";

  /** What the server reports: MongoDB 4.4.0, wire version 9 (the Node.js driver 7's minimum). */
  static final MongoVersion REPORTED_VERSION = new MongoVersion() {
    @Override
    public List<Integer> getVersionArray() {
      return List.of(4, 4, 0);
    }

    @Override
    public int getWireVersion() {
      return 9;
    }
  };

  private MongoTestServer() {}

  public static void main(String[] args) {
    int port = 0;
    boolean watchStdin = true;
    for (String arg : args) {
      if (arg.equals("--no-stdin-watch")) {
        watchStdin = false;
      } else if (arg.equals("--help") || arg.equals("-h")) {
        System.err.println("usage: java -jar mongo-test-server.jar [PORT (0 = any free port)] [--no-stdin-watch]");
        System.exit(0);
      } else {
        port = parsePort(arg);
      }
    }

    IndexedMemoryBackend backend = new IndexedMemoryBackend();
    backend.version(REPORTED_VERSION);
    MongoServer server = new MongoServer(backend);
    try {
      server.bind(HOST, port);
    } catch (Exception e) { // netty rethrows the checked BindException undeclared
      server.shutdownNow();
      System.err.println("mongo-test-server: cannot listen on " + HOST + ":" + port + ": " + describe(e)
          + ". Pick another port, or 0 for any free one.");
      System.exit(2);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow, "mongo-test-server-shutdown"));

    InetSocketAddress address = server.getLocalAddress();
    System.out.println("LISTENING " + HOST + ":" + address.getPort());
    System.out.flush();

    if (watchStdin) {
      Thread watcher = new Thread(MongoTestServer::exitAtEndOfStdin, "mongo-test-server-stdin-watch");
      watcher.setDaemon(true);
      watcher.start();
    }
  }

  private static int parsePort(String value) {
    try {
      int port = Integer.parseInt(value);
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    System.err.println("mongo-test-server: port must be an integer from 0 to 65535 (0 = any free port), got \""
        + value + "\"");
    System.exit(64);
    return -1;
  }

  /** Blocks until stdin is closed (the parent exited or closed the pipe), then exits; the hook stops the server. */
  private static void exitAtEndOfStdin() {
    InputStream in = System.in;
    byte[] buffer = new byte[256];
    try {
      while (in.read(buffer) != -1) {
        // input is ignored; only end-of-file matters
      }
    } catch (IOException ignored) {
      // a broken stdin counts as closed
    }
    System.exit(0);
  }

  private static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
  }
}
