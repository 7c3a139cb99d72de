// MongoDB wire-protocol stand-in for tests and offline development (not for production).
// Runs de.bwaldvogel mongo-java-server on 127.0.0.1 and prints one line
//   LISTENING mongodb://127.0.0.1:<port>
// once it accepts connections. It exits when its standard input closes, so it never
// outlives the Node process that started it.
//
//   java -cp '<lib>/*' Launcher.java [--port 0] [--oplog] [--h2 FILE] [--report-version 7.0]
import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.AbstractCursor;
import de.bwaldvogel.mongo.backend.AbstractMongoBackend;
import de.bwaldvogel.mongo.backend.Cursor;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.aggregation.Aggregation;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.bson.BsonTimestamp;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;
import de.bwaldvogel.mongo.oplog.CollectionBackedOplog;
import de.bwaldvogel.mongo.oplog.Oplog;
import de.bwaldvogel.mongo.oplog.OplogCursor;
import de.bwaldvogel.mongo.oplog.OplogPosition;
import de.bwaldvogel.mongo.wire.MongoDatabaseHandler;
import de.bwaldvogel.mongo.wire.MongoExceptionHandler;
import de.bwaldvogel.mongo.wire.MongoWireMessageEncoder;
import de.bwaldvogel.mongo.wire.MongoWireProtocolHandler;
import de.bwaldvogel.mongo.wire.MongoWireReplyEncoder;
import de.bwaldvogel.mongo.wire.message.MongoMessage;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
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
            entries.forEach(Launcher::noteWritten);
            forwarded = new Object[] {entries.stream()};
          } else if (method.getName().equals("addDocument")) {
            noteWritten((Document) args[0]);
          } else if (method.getName().equals("queryAllAsStream") && TAIL_FROM.get() != null) {
            // A change stream's read: the entries at or after its position, not the whole oplog.
            return OPLOG_BY_TS.tailMap(TAIL_FROM.get(), true).values().stream();
          }
          try {
            return method.invoke(target, forwarded);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    // Entries kept from an earlier run (the H2 backend persists them) are indexed too.
    stored.queryAllAsStream().forEach(entry -> OPLOG_BY_TS.put(((BsonTimestamp) entry.get("ts")).getValue(), entry));
    return new TailingOplog(backend, noting, cursors);
  }

  static void noteWritten(Document entry) {
    BsonTimestamp ts = (BsonTimestamp) entry.get("ts");
    WRITTEN.get().add(ts);
    OPLOG_BY_TS.put(ts.getValue(), entry);
  }

  /*
   * Change streams at MongoDB's cost. mongo-java-server 1.47 answers every change stream getMore by
   * scanning its whole oplog (every write since it started: after a million seeded documents, each
   * poll is a million-entry scan), and answers an idle one at once, so the driver polls in a loop.
   * Two app instances hold ~14 streams: they kept the stand-in's cores busy and made every other
   * command wait (a find over 1M documents: 1,872 docs/s with them open, 109,414 without; see
   * docs/benchmarks/2026-12-06-results-day.md). MongoDB reads its oplog from the cursor's position on
   * (it is ordered by ts) and holds an idle awaitData getMore until maxTimeMS (1 s by default) or a
   * new entry. These do the same: OPLOG_BY_TS orders the entries by timestamp, a change stream's
   * cursor reads only those at or after its position (the library's own filter still picks among
   * them, so what a stream returns is unchanged), and AwaitData holds an idle getMore, without
   * blocking the event loop, until a newer entry is written or its time is up.
   */
  static final ConcurrentSkipListMap<Long, Document> OPLOG_BY_TS = new ConcurrentSkipListMap<>();
  /** Set while a change stream's cursor reads: the timestamp of its position. */
  static final ThreadLocal<Long> TAIL_FROM = new ThreadLocal<>();
  static final Map<Long, Cursor> TAILS = new ConcurrentHashMap<>();
  static final long AWAIT_DATA_DEFAULT_MS = 1000;
  static final long AWAIT_DATA_CHECK_MS = 5;

  static final class TailingOplog extends CollectionBackedOplog {
    private final CursorRegistry cursors;

    TailingOplog(MongoBackend backend, MongoCollection<Document> collection, CursorRegistry cursors) {
      super(backend, collection, cursors);
      this.cursors = cursors;
    }

    @Override
    public Cursor createCursor(Document changeStreamDocument, String namespace, Aggregation aggregation) {
      Cursor cursor = super.createCursor(changeStreamDocument, namespace, aggregation);
      if (!(cursor instanceof OplogCursor oplogCursor)) return cursor;
      TailCursor tail = new TailCursor(oplogCursor, cursors);
      cursors.remove(cursor);
      cursors.add(tail);
      TAILS.put(tail.getId(), tail);
      return tail;
    }
  }

  /** An OplogCursor that reads from its position on, and tells whether anything was written after it. */
  static final class TailCursor extends AbstractCursor {
    private static final Field POSITION = field(OplogCursor.class, "position");
    private static final Field TIMESTAMP = field(OplogPosition.class, "timestamp");
    private static final Field INCLUSIVE = field(OplogPosition.class, "inclusive");
    private final OplogCursor delegate;
    private final CursorRegistry cursors;

    TailCursor(OplogCursor delegate, CursorRegistry cursors) {
      super(delegate.getId());
      this.delegate = delegate;
      this.cursors = cursors;
    }

    static Field field(Class<?> type, String name) {
      try {
        Field f = type.getDeclaredField(name);
        f.setAccessible(true);
        return f;
      } catch (NoSuchFieldException e) {
        throw new IllegalStateException(e);
      }
    }

    private OplogPosition position() {
      try {
        return (OplogPosition) POSITION.get(delegate);
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e);
      }
    }

    private static long timestamp(OplogPosition position) {
      try {
        return ((BsonTimestamp) TIMESTAMP.get(position)).getValue();
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public boolean isEmpty() {
      return delegate.isEmpty();
    }

    /**
     * The last entry a read of this cursor went through to the end. The position moves only with
     * entries the stream returns: entries of other collections would otherwise look new forever,
     * and wake every getMore at once (a loop again).
     */
    private volatile long readThrough = Long.MIN_VALUE;

    @Override
    public List<Document> takeDocuments(int numberToReturn) {
      Long last = OPLOG_BY_TS.isEmpty() ? null : OPLOG_BY_TS.lastKey();
      TAIL_FROM.set(timestamp(position()));
      try {
        List<Document> documents = delegate.takeDocuments(numberToReturn);
        if (last != null && (numberToReturn <= 0 || documents.size() < numberToReturn)) readThrough = Math.max(readThrough, last);
        return documents;
      } finally {
        TAIL_FROM.remove();
      }
    }

    /** An entry was written after this cursor's position and after its last complete read (of any collection: the next read decides). */
    boolean hasNewer() {
      OplogPosition position = position();
      long ts = timestamp(position);
      try {
        if (OPLOG_BY_TS.higherKey(Math.max(ts, readThrough)) != null) return true;
        return INCLUSIVE.getBoolean(position) && readThrough < ts && OPLOG_BY_TS.containsKey(ts);
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e);
      }
    }

    boolean open() {
      try {
        return cursors.getCursor(getId()) == this;
      } catch (RuntimeException e) {
        TAILS.remove(getId());
        return false;
      }
    }
  }

  /** Holds a getMore on an idle change stream (see above) until a newer oplog entry, its maxTimeMS, or 1 s. */
  static final class AwaitData extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof MongoMessage message
          && message.getDocument().get("getMore") instanceof Number id
          && TAILS.get(id.longValue()) instanceof TailCursor tail
          && tail.open()
          && !tail.hasNewer()) {
        long waitMs = message.getDocument().get("maxTimeMS") instanceof Number max ? max.longValue() : AWAIT_DATA_DEFAULT_MS;
        hold(ctx, msg, tail, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs));
        return;
      }
      ctx.fireChannelRead(msg);
    }

    private void hold(ChannelHandlerContext ctx, Object msg, TailCursor tail, long deadline) {
      ctx.executor().schedule(() -> {
        if (!ctx.channel().isActive()) return;
        if (tail.hasNewer() || !tail.open() || System.nanoTime() >= deadline) ctx.fireChannelRead(msg);
        else hold(ctx, msg, tail, deadline);
      }, AWAIT_DATA_CHECK_MS, TimeUnit.MILLISECONDS);
    }
  }

  /** MongoServer.bind's pipeline, with AwaitData in front of the command handler. */
  static Runnable serve(MongoBackend backend, String host, int port, int[] boundPort) {
    EventLoopGroup boss = new NioEventLoopGroup(0);
    EventLoopGroup workers = new NioEventLoopGroup(0);
    ChannelGroup clients = new DefaultChannelGroup("mongodb-channels", workers.next());
    Channel listening = new ServerBootstrap()
        .group(boss, workers)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 100)
        .localAddress(new InetSocketAddress(host, port))
        .childOption(ChannelOption.TCP_NODELAY, Boolean.TRUE)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          public void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new MongoWireReplyEncoder());
            ch.pipeline().addLast(new MongoWireMessageEncoder());
            ch.pipeline().addLast(new MongoWireProtocolHandler());
            ch.pipeline().addLast(new AwaitData());
            ch.pipeline().addLast(new MongoDatabaseHandler(backend, clients));
            ch.pipeline().addLast(new MongoExceptionHandler());
          }
        })
        .bind()
        .syncUninterruptibly()
        .channel();
    boundPort[0] = ((InetSocketAddress) listening.localAddress()).getPort();
    return () -> {
      listening.close().syncUninterruptibly();
      clients.close().syncUninterruptibly();
      boss.shutdownGracefully(0, 5, TimeUnit.SECONDS);
      workers.shutdownGracefully(0, 5, TimeUnit.SECONDS);
      backend.close();
    };
  }

  static Document withOperationTime(String command, Document result) {
    // A replica set supports sessions, and says so in its handshake; without this the driver refuses
    // explicit sessions (the API's writes run in one to learn their operationTime).
    if (command.equalsIgnoreCase("hello") || command.equalsIgnoreCase("ismaster")) result.putIfAbsent("logicalSessionTimeoutMinutes", 30);
    List<BsonTimestamp> written = WRITTEN.get();
    if (!written.isEmpty() && WRITE_COMMANDS.contains(command.toLowerCase())) result.put("operationTime", Collections.max(written));
    written.clear();
    return result;
  }

  /**
   * mongo-java-server 1.47 uses an index only when a query's fields are exactly the index's, so
   * `{_id: "2600000123", edition: {$in: [...]}}` (how the results routes read one result) scanned every
   * document, under the collection's lock: ~0.1 s per read among a million, every other read of the
   * collection waiting behind it. MongoDB answers it from the _id index (then checks the rest of the
   * query). This does the same for a plain _id value (a string or ObjectId) beside other fields:
   * the _id index gives the candidates and the library's matcher still applies the whole query.
   */
  static final class IdPlannedCollection extends MemoryCollection {
    IdPlannedCollection(MongoDatabase database, String name, CollectionOptions options, CursorRegistry cursors) {
      super(database, name, options, cursors);
    }

    @Override
    protected QueryResult queryDocuments(Document query, Document orderBy, int numberToSkip, int limit, int batchSize,
                                         Document fieldSelector) {
      Object id = query.get("_id");
      if (query.size() > 1 && (id instanceof String || id instanceof ObjectId)) {
        Document byId = new Document("_id", id);
        for (Index<Integer> index : getIndexes()) {
          if (index.canHandle(byId)) {
            return matchDocuments(query, index.getPositions(byId), orderBy, numberToSkip, limit, batchSize, fieldSelector);
          }
        }
      }
      return super.queryDocuments(query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
    }
  }

  static AbstractMongoBackend backend(String h2File) {
    if (h2File == null) {
      return new MemoryBackend() {
        @Override
        public MemoryDatabase openOrCreateDatabase(String databaseName) {
          return new MemoryDatabase(databaseName, getCursorRegistry()) {
            @Override
            protected MemoryCollection openOrCreateCollection(String collectionName, CollectionOptions options) {
              return new IdPlannedCollection(this, collectionName, options, cursorRegistry);
            }
          };
        }

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
    if (oplog) backend.enableOplog();
    int[] bound = new int[1];
    Runnable stop = serve(backend, "127.0.0.1", port, bound);
    Runtime.getRuntime().addShutdownHook(new Thread(stop));
    System.out.println("LISTENING mongodb://127.0.0.1:" + bound[0]);
    System.out.flush();

    while (System.in.read() != -1) {
      // drain until the parent closes our stdin
    }
    System.exit(0);
  }
}
