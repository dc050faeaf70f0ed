package newsarchive.opensearch;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;

/**
 * Runs one real OpenSearch node in this JVM.
 *
 * <p>The published server jar has no plugin loading from the classpath in its public
 * constructor, so this subclass calls the protected {@code Node(Environment, plugins, boolean)}
 * constructor with the modules a distribution would load from {@code modules/}:
 * transport-netty4 (HTTP and transport), analysis-common, lang-painless and reindex. Any further plugin classes
 * can be named in the system property {@code newsarchive.plugins} (comma separated); they
 * must be on the classpath.
 *
 * <p>Usage: {@code java -cp ... newsarchive.opensearch.Launcher <path.home>}. Settings come
 * from {@code <path.home>/config/opensearch.yml} and logging from
 * {@code <path.home>/config/log4j2.properties}, as in a distribution. The Bootstrap class of
 * a distribution (security manager, native checks, bootstrap checks, its refusal to run as
 * root) is not used: this is a test node on loopback.
 */
public final class Launcher {

    static final String[] MODULES = {
        "org.opensearch.transport.Netty4Plugin",
        "org.opensearch.analysis.common.CommonAnalysisPlugin",
        "org.opensearch.painless.PainlessPlugin",
        "org.opensearch.index.reindex.ReindexPlugin",
    };

    /** The protected constructor that takes plugin classes, made reachable. */
    static final class ClasspathNode extends Node {
        ClasspathNode(Environment env, Collection<Class<? extends Plugin>> plugins) {
            super(env, plugins, true);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: Launcher <path.home>");
            System.exit(2);
        }
        Path home = Paths.get(args[0]).toAbsolutePath().normalize();
        Path config = home.resolve("config");

        List<Class<? extends Plugin>> plugins = new ArrayList<>();
        List<String> names = new ArrayList<>(List.of(MODULES));
        String extra = System.getProperty("newsarchive.plugins", "").trim();
        if (!extra.isEmpty()) {
            for (String n : extra.split(",")) {
                if (!n.isBlank()) names.add(n.trim());
            }
        }
        for (String n : names) {
            plugins.add(Class.forName(n).asSubclass(Plugin.class));
        }

        Settings base = Settings.builder().put("path.home", home.toString()).build();
        LogConfigurator.registerErrorListener();
        Environment env = InternalSettingsPreparer.prepareEnvironment(base, Collections.emptyMap(), config, () -> "unnamed");
        LogConfigurator.setNodeName(Node.NODE_NAME_SETTING.get(env.settings()));
        LogConfigurator.configure(env);

        Node node = new ClasspathNode(env, plugins);
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                closed.countDown();
            }
        }, "newsarchive-node-shutdown"));

        node.start();

        String pidFile = System.getProperty("newsarchive.started");
        if (pidFile != null) {
            // A marker the script can read: this JVM's pid, written once the node has started.
            Files.write(Paths.get(pidFile), (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        System.out.println("newsarchive launcher: node started with plugins " + names);
        // The node's threads are daemons: keep the JVM up until the shutdown hook has closed it.
        closed.await();
    }
}
