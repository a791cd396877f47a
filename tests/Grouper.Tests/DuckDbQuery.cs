using DuckDB.NET.Data;

namespace Grouper.Tests;

/// <summary>Reads query results with DuckDB, the independent Parquet reader the tests check our files with.</summary>
internal static class DuckDbQuery
{
    public static List<object[]> Rows(string sql)
    {
        using var conn = new DuckDBConnection("DataSource=:memory:");
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        using var rd = cmd.ExecuteReader();
        var rows = new List<object[]>();
        while (rd.Read())
        {
            var v = new object[rd.FieldCount];
            rd.GetValues(v);
            rows.Add(v);
        }

        return rows;
    }
}
