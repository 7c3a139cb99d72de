// MongoDB wire-protocol stand-in for tests and offline development (not for production).
// Runs de.bwaldvogel mongo-java-server on 127.0.0.1 and prints one line
//   LISTENING mongodb://127.0.0.1:<port>
// once it accepts connections. It exits when its standard input closes, so it never
// outlives the Node process that started it.
//
//   java -cp '<lib>/*' Launcher.java [--port 0] [--oplog] [--h2 FILE] [--report-version 7.0]
import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.AbstractMongoBackend;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.bson.BsonTimestamp;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.oplog.CollectionBackedOplog;
import de.bwaldvogel.mongo.oplog.Oplog;
import io.netty.channel.Channel;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

public class Launcher {
  /** The Node driver 7 refuses servers older than 4.4 (wire 9); 1.47.0 reports 4.2 by default. */
  record ReportedVersion(int major, int minor, int wire) implements MongoVersion {
    public List<Integer> getVersionArray() { return List.of(major, minor, 0); }
    public int getWireVersion() { return wire; }
  }

  static int wireVersionFor(int major, int minor) {
    if (major >= 8) return 25;
    if (major == 7) return 21;
    if (major == 6) return 17;
    if (major == 5) return 13;
    return minor >= 4 ? 9 : 8;
  }

  /**
   * mongo-java-server 1.47 writes no oplog entry for findAndModify, so change streams miss
   * findOneAndUpdate/Replace/Delete (what Mongoose's findByIdAndUpdate sends). MongoDB logs them
   * like any update, delete or upsert; this records the same events from the command's result.
   */
  static void logFindAndModify(Oplog oplog, String databaseName, Document query, Document result) {
    if (!(result.get("value") instanceof Document value) || !value.containsKey("_id")) return;
    String namespace = databaseName + "." + query.get("findAndModify");
    Document selector = query.get("query") instanceof Document q ? q : new Document();
    List<Object> ids = List.of(value.get("_id"));
    if (Boolean.TRUE.equals(query.get("remove"))) {
      oplog.handleDelete(namespace, selector, ids);
    } else if (result.get("lastErrorObject") instanceof Document last && Boolean.TRUE.equals(last.get("updatedExisting"))) {
      oplog.handleUpdate(namespace, selector, (Document) query.get("update"), ids);
    } else {
      oplog.handleInsert(namespace, List.of(value)); // an upsert that inserted (value is the new document)
    }
  }

  /** Oplog timestamps written while the current command runs (commands run on one thread each). */
  static final ThreadLocal<List<BsonTimestamp>> WRITTEN = ThreadLocal.withInitial(ArrayList::new);
  static final Set<String> WRITE_COMMANDS = Set.of("insert", "update", "delete", "findandmodify");

  /**
   * MongoDB answers a write with its `operationTime`: the timestamp of the last oplog entry the write
   * made, which is the `clusterTime` of its change event (the API's writes use it to tell the change
   * feed which events they invalidated already). mongo-java-server 1.47 sends none: this notes the
   * timestamp of each oplog entry as it is stored, and puts the latest one in the write's reply.
   */
  @SuppressWarnings("unchecked")
  static Oplog notingOplog(AbstractMongoBackend backend, MongoDatabase local, CursorRegistry cursors) {
    MongoCollection<Document> stored = (MongoCollection<Document>) local.resolveCollection("oplog.rs", false);
    if (stored == null) stored = (MongoCollection<Document>) local.createCollectionOrThrowIfExists("oplog.rs");
    MongoCollection<Document> target = stored;
    MongoCollection<Document> noting = (MongoCollection<Document>) Proxy.newProxyInstance(
        MongoCollection.class.getClassLoader(), new Class<?>[] {MongoCollection.class}, (proxy, method, args) -> {
          Object[] forwarded = args;
          if (method.getName().equals("addDocuments")) {
            List<Document> entries = ((Stream<Document>) args[0]).toList();
            entries.forEach(entry -> WRITTEN.get().add((BsonTimestamp) entry.get("ts")));
            forwarded = new Object[] {entries.stream()};
          } else if (method.getName().equals("addDocument")) {
            WRITTEN.get().add((BsonTimestamp) ((Document) args[0]).get("ts"));
          }
          try {
            return method.invoke(target, forwarded);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    return new CollectionBackedOplog(backend, noting, cursors);
  }

  static Document withOperationTime(String command, Document result) {
    List<BsonTimestamp> written = WRITTEN.get();
    if (!written.isEmpty() && WRITE_COMMANDS.contains(command.toLowerCase())) result.put("operationTime", Collections.max(written));
    written.clear();
    return result;
  }

  static AbstractMongoBackend backend(String h2File) {
    if (h2File == null) {
      return new MemoryBackend() {
        @Override
        protected Oplog createOplog() {
          return notingOplog(this, resolveDatabase("local"), getCursorRegistry());
        }

        @Override
        public Document handleCommand(Channel channel, String databaseName, String command, Document query) {
          WRITTEN.get().clear();
          Document result = super.handleCommand(channel, databaseName, command, query);
          if (command.equalsIgnoreCase("findAndModify")) logFindAndModify(oplog, databaseName, query, result);
          return withOperationTime(command, result);
        }
      };
    }
    return new H2Backend(h2File) {
      @Override
      protected Oplog createOplog() {
        return notingOplog(this, resolveDatabase("local"), getCursorRegistry());
      }

      @Override
      public Document handleCommand(Channel channel, String databaseName, String command, Document query) {
        WRITTEN.get().clear();
        Document result = super.handleCommand(channel, databaseName, command, query);
        if (command.equalsIgnoreCase("findAndModify")) logFindAndModify(oplog, databaseName, query, result);
        return withOperationTime(command, result);
      }
    };
  }

  public static void main(String[] args) throws Exception {
    int port = 0;
    boolean oplog = false;
    String h2File = null;
    String reported = "7.0";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--oplog" -> oplog = true;
        case "--h2" -> h2File = args[++i];
        case "--report-version" -> reported = args[++i];
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    String[] parts = reported.split("\\.");
    int major = Integer.parseInt(parts[0]);
    int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;

    AbstractMongoBackend backend = backend(h2File);
    backend.version(new ReportedVersion(major, minor, wireVersionFor(major, minor)));
    MongoServer server = new MongoServer(backend);
    if (oplog) server.enableOplog();
    server.bind("127.0.0.1", port);
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
    System.out.println("LISTENING mongodb://127.0.0.1:" + server.getLocalAddress().getPort());
    System.out.flush();

    while (System.in.read() != -1) {
      // drain until the parent closes our stdin
    }
    System.exit(0);
  }
}
