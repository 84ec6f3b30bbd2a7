// The PostgreSQL JDBC driver against the server: PreparedStatement
// parameters of every listed type (pgjdbc switches to server-side prepared
// statements and binary transfer after a few executions), transactions,
// errors. Run as a single-file program: java -cp postgresql.jar DriverTest.java
// Prints every failed check; "OK jdbc" when none.

import java.math.BigDecimal;
import java.sql.*;
import java.time.*;
import java.util.*;

public class DriverTest {
    static final List<String> failures = new ArrayList<>();

    static void check(String what, Object got, Object expected) {
        if (!Objects.equals(got, expected)) {
            failures.add(what + ": expected " + expected + ", got " + got);
        }
    }

    static String sqlstateOf(Connection c, String sql) {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            return e.getSQLState();
        }
        return null;
    }

    public static void main(String[] args) throws Exception {
        String host = System.getenv().getOrDefault("PGHOST", "127.0.0.1");
        String port = System.getenv().getOrDefault("PGPORT", "5432");
        String db = System.getenv().getOrDefault("PGDATABASE", "postgres");
        Properties props = new Properties();
        props.setProperty("user", System.getenv().getOrDefault("PGUSER", "postgres"));
        if (System.getenv("PGPASSWORD") != null) {
            props.setProperty("password", System.getenv("PGPASSWORD"));
        }
        // Server-side prepare from the first execution: the extended
        // protocol with named statements and binary results.
        props.setProperty("prepareThreshold", "1");
        String url = "jdbc:postgresql://" + host + ":" + port + "/" + db;
        try (Connection c = DriverManager.getConnection(url, props)) {
            run(c);
        }
        if (!failures.isEmpty()) {
            failures.forEach(System.out::println);
            System.exit(1);
        }
        System.out.println("OK jdbc");
    }

    static void run(Connection c) throws Exception {
        try (Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("SELECT 1");
            rs.next();
            check("SELECT 1", rs.getInt(1), 1);
            s.execute("DROP TABLE IF EXISTS drv_jdbc");
            s.execute("CREATE TABLE drv_jdbc (id serial PRIMARY KEY, b bool, i2 int2, i4 int4, i8 int8, "
                    + "f4 float4, f8 float8, n numeric, t text, vc varchar(20), c char(5), by bytea, "
                    + "d date, tm time, ts timestamp, tz timestamptz, iv interval, u uuid, j json, jb jsonb)");
        }
        UUID uuid = UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        OffsetDateTime tz = OffsetDateTime.of(2023, 11, 14, 22, 13, 20, 123456000, ZoneOffset.UTC);
        for (int round = 0; round < 3; round++) {
            try (PreparedStatement p = c.prepareStatement(
                    "INSERT INTO drv_jdbc (b, i2, i4, i8, f4, f8, n, t, vc, c, by, d, tm, ts, tz, iv, u, j, jb) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::interval, ?, ?::json, ?::jsonb) RETURNING id")) {
                p.setBoolean(1, true);
                p.setShort(2, (short) -12345);
                p.setInt(3, 2_000_000_000);
                p.setLong(4, -9_000_000_000_000L);
                p.setFloat(5, 1.5f);
                p.setDouble(6, -2.25e-10);
                p.setBigDecimal(7, new BigDecimal("12345.6789"));
                p.setString(8, "héllo 'world'");
                p.setString(9, "varchar");
                p.setString(10, "ab");
                p.setBytes(11, new byte[] {0, 1, 2, (byte) 0xfe, (byte) 0xff});
                p.setObject(12, LocalDate.of(2024, 2, 29));
                p.setObject(13, LocalTime.of(13, 45, 7, 250_000_000));
                p.setObject(14, LocalDateTime.of(2024, 2, 29, 13, 45, 7, 250_000_000));
                p.setObject(15, tz);
                p.setString(16, "3 days 04:00:05");
                p.setObject(17, uuid);
                p.setString(18, "{\"k\": [1, 2, \"x\"]}");
                p.setString(19, "{\"a\": null, \"b\": true}");
                ResultSet rs = p.executeQuery();
                rs.next();
                check("RETURNING id", rs.getInt(1), round + 1);
            }
        }
        try (PreparedStatement p = c.prepareStatement(
                "SELECT b, i2, i4, i8, f4, f8, n, t, vc, c, by, d, tm, ts, tz, iv::text, u, j::text, jb::text "
                + "FROM drv_jdbc WHERE id = ?")) {
            for (int id = 1; id <= 3; id++) {
                p.setInt(1, id);
                ResultSet rs = p.executeQuery();
                check("row " + id, rs.next(), true);
                String r = "row " + id + " ";
                check(r + "b", rs.getBoolean(1), true);
                check(r + "i2", rs.getShort(2), (short) -12345);
                check(r + "i4", rs.getInt(3), 2_000_000_000);
                check(r + "i8", rs.getLong(4), -9_000_000_000_000L);
                check(r + "f4", rs.getFloat(5), 1.5f);
                check(r + "f8", rs.getDouble(6), -2.25e-10);
                check(r + "n", rs.getBigDecimal(7), new BigDecimal("12345.6789"));
                check(r + "t", rs.getString(8), "héllo 'world'");
                check(r + "vc", rs.getString(9), "varchar");
                check(r + "c", rs.getString(10), "ab   ");
                check(r + "by", Arrays.toString(rs.getBytes(11)), "[0, 1, 2, -2, -1]");
                check(r + "d", rs.getObject(12, LocalDate.class), LocalDate.of(2024, 2, 29));
                check(r + "tm", rs.getObject(13, LocalTime.class), LocalTime.of(13, 45, 7, 250_000_000));
                check(r + "ts", rs.getObject(14, LocalDateTime.class), LocalDateTime.of(2024, 2, 29, 13, 45, 7, 250_000_000));
                check(r + "tz", rs.getObject(15, OffsetDateTime.class).toInstant(), tz.toInstant());
                check(r + "iv", rs.getString(16), "3 days 04:00:05");
                check(r + "u", rs.getObject(17), uuid);
                check(r + "j", rs.getString(18), "{\"k\": [1, 2, \"x\"]}");
                check(r + "jb", rs.getString(19), "{\"a\": null, \"b\": true}");
            }
        }
        try (PreparedStatement p = c.prepareStatement("INSERT INTO drv_jdbc (b, n, by, tz, u) VALUES (?, ?, ?, ?, ?)")) {
            p.setNull(1, Types.BOOLEAN);
            p.setNull(2, Types.NUMERIC);
            p.setNull(3, Types.BINARY);
            p.setNull(4, Types.TIMESTAMP_WITH_TIMEZONE);
            p.setNull(5, Types.OTHER);
            p.executeUpdate();
        }
        try (Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("SELECT b, n, by, tz, u FROM drv_jdbc WHERE id = 4");
            rs.next();
            for (int i = 1; i <= 5; i++) {
                check("NULL " + i, rs.getObject(i), null);
            }
        }
        // Arrays as parameters.
        try (PreparedStatement p = c.prepareStatement("SELECT count(*) FROM drv_jdbc WHERE i4 = ANY(?)")) {
            p.setArray(1, c.createArrayOf("int4", new Integer[] {1, 2_000_000_000}));
            ResultSet rs = p.executeQuery();
            rs.next();
            check("= ANY(?)", rs.getLong(1), 3L);
        }

        try (Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS drv_jdbc_tx");
            s.execute("CREATE TABLE drv_jdbc_tx (id int PRIMARY KEY, v text)");
        }
        c.setAutoCommit(false);
        try (PreparedStatement p = c.prepareStatement("INSERT INTO drv_jdbc_tx VALUES (?, ?)")) {
            p.setInt(1, 1);
            p.setString(2, "rolled back");
            p.executeUpdate();
            c.rollback();
            p.setInt(1, 2);
            p.setString(2, "committed");
            p.executeUpdate();
            c.commit();
        }
        check("division by zero", sqlstateOf(c, "SELECT 1/0"), "22012");
        check("aborted transaction", sqlstateOf(c, "SELECT 1"), "25P02");
        c.rollback();
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
            ResultSet rs = s.executeQuery("SELECT id, v FROM drv_jdbc_tx ORDER BY id");
            List<String> rows = new ArrayList<>();
            while (rs.next()) {
                rows.add(rs.getInt(1) + ":" + rs.getString(2));
            }
            check("transactions", rows, List.of("2:committed"));
        }
        check("duplicate key", sqlstateOf(c, "INSERT INTO drv_jdbc_tx VALUES (2, 'x')"), "23505");
        check("undefined table", sqlstateOf(c, "SELECT * FROM no_such_table"), "42P01");
        check("syntax error", sqlstateOf(c, "SELEC 1"), "42601");
        // Metadata that tools read through the driver.
        DatabaseMetaData md = c.getMetaData();
        check("product", md.getDatabaseProductName(), "PostgreSQL");
        try (ResultSet rs = md.getColumns(null, "public", "drv_jdbc_tx", null)) {
            List<String> cols = new ArrayList<>();
            while (rs.next()) {
                cols.add(rs.getString("COLUMN_NAME") + " " + rs.getString("TYPE_NAME"));
            }
            check("getColumns", cols, List.of("id int4", "v text"));
        }
        try (Statement s = c.createStatement()) {
            s.execute("DROP TABLE drv_jdbc");
            s.execute("DROP TABLE drv_jdbc_tx");
        }
    }
}
