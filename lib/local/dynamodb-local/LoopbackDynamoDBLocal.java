import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * DynamoDB Local bound to the loopback interface only. Its own main (ServerRunner) has no host option and
 * listens on every interface, which would open the developer's tables to the network: this builds the server
 * from the same command line, sets its Jetty connectors' host to 127.0.0.1 before they open, and starts it.
 * Compiled once and run on the jar's class path by ./launcher.ts (the jar's manifest brings its libraries). It
 * exits rather than start on all interfaces when the server's shape is not the one expected (another DynamoDB
 * Local release).
 */
public final class LoopbackDynamoDBLocal {
  private static final String LOOPBACK = "127.0.0.1";

  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    Connector[] connectors = server.getConnectors();
    if (connectors.length == 0) fail("DynamoDB Local's server has no connector to bind");
    for (Connector connector : connectors) {
      if (!(connector instanceof ServerConnector)) fail("DynamoDB Local's connector is a " + connector.getClass().getName());
      ((ServerConnector) connector).setHost(LOOPBACK);
    }
    proxy.start();
    for (Connector connector : connectors) {
      if (!LOOPBACK.equals(((ServerConnector) connector).getHost())) fail("DynamoDB Local did not keep the loopback host");
    }
  }

  private static void fail(String message) {
    System.err.println(message + "; refusing to start DynamoDB Local on every interface");
    System.exit(70);
  }
}
