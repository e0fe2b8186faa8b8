namespace OrderFlow.Actors.Configuration;

/// <summary>
/// A strict syntax check of a HOCON file before Akka's parser sees it. Akka's parser is lenient (an unterminated
/// string or a missing value parses as something) and an unterminated array spanning lines makes it run out of
/// memory; neither is an acceptable answer to a typo. This check knows the HOCON syntax the project's files use
/// (objects, arrays, quoted and unquoted values, substitutions, comments, include) and reports the first error as
/// "file:line: what is wrong". It also returns the line of every key it saw, so later errors can point at it.
/// </summary>
public static class HoconSyntax
{
    private enum Kind { OpenBrace, CloseBrace, OpenBracket, CloseBracket, Comma, Separator, NewLine, Text, Substitution, End }

    private readonly record struct Token(Kind Kind, string Text, int Line);

    /// <summary>Checks <paramref name="text"/>; returns each key path (a.b.c) with the line it is set on.</summary>
    public static IReadOnlyDictionary<string, int> Check(string text, string source)
    {
        var tokens = Tokenize(text, source);
        var keys = new Dictionary<string, int>(StringComparer.Ordinal);
        var position = 0;
        SkipNewLines(tokens, ref position);
        if (tokens[position].Kind == Kind.OpenBrace)
        {
            var open = tokens[position++];
            ParseMembers(tokens, ref position, Kind.CloseBrace, open, "", keys, source);
            position++;
            SkipNewLines(tokens, ref position);
            if (tokens[position].Kind != Kind.End) throw Error(source, tokens[position], "unexpected content after the closing '}'");
        }
        else
        {
            ParseMembers(tokens, ref position, Kind.End, default, "", keys, source);
        }
        return keys;
    }

    private static void ParseMembers(List<Token> tokens, ref int position, Kind end, Token open, string prefix,
        Dictionary<string, int> keys, string source)
    {
        while (true)
        {
            SkipSeparators(tokens, ref position);
            var token = tokens[position];
            if (token.Kind == end) return;
            if (token.Kind == Kind.End)
                throw Error(source, token, $"missing '}}' for the '{{' opened on line {open.Line}");
            if (token.Kind != Kind.Text)
                throw Error(source, token, $"expected a key, found {Describe(token)}");

            var key = token.Text;
            position++;
            if (key == "include" && tokens[position].Kind == Kind.Text)
            {
                position++;
                ExpectMemberEnd(tokens, position, end, source, key);
                continue;
            }

            var path = prefix.Length == 0 ? key : $"{prefix}.{key}";
            keys[path] = token.Line;
            if (tokens[position].Kind == Kind.OpenBrace)
            {
                var nested = tokens[position++];
                ParseMembers(tokens, ref position, Kind.CloseBrace, nested, path, keys, source);
                position++;
            }
            else if (tokens[position].Kind == Kind.Separator)
            {
                position++;
                ParseValue(tokens, ref position, path, keys, source);
            }
            else
            {
                throw Error(source, tokens[position], $"expected '=' or ':' after the key '{key}', found {Describe(tokens[position])}");
            }
            ExpectMemberEnd(tokens, position, end, source, key);
        }
    }

    private static void ParseValue(List<Token> tokens, ref int position, string path, Dictionary<string, int> keys, string source)
    {
        var token = tokens[position];
        switch (token.Kind)
        {
            case Kind.OpenBrace:
                position++;
                ParseMembers(tokens, ref position, Kind.CloseBrace, token, path, keys, source);
                position++;
                return;
            case Kind.OpenBracket:
                position++;
                ParseArray(tokens, ref position, token, path, keys, source);
                return;
            case Kind.Text or Kind.Substitution:
                // A value is one or more pieces on one line ("a" b ${c} concatenate).
                while (tokens[position].Kind is Kind.Text or Kind.Substitution) position++;
                return;
            default:
                throw Error(source, token, $"missing value for '{path}'");
        }
    }

    private static void ParseArray(List<Token> tokens, ref int position, Token open, string path, Dictionary<string, int> keys, string source)
    {
        while (true)
        {
            SkipSeparators(tokens, ref position);
            var token = tokens[position];
            if (token.Kind == Kind.CloseBracket)
            {
                position++;
                return;
            }
            if (token.Kind is not (Kind.OpenBrace or Kind.OpenBracket or Kind.Text or Kind.Substitution))
                throw Error(source, token, $"missing ']' for the '[' opened on line {open.Line} (found {Describe(token)})");
            ParseValue(tokens, ref position, path, keys, source);
            var next = tokens[position];
            if (next.Kind is not (Kind.Comma or Kind.NewLine or Kind.CloseBracket))
                throw Error(source, next, $"expected ',' or ']' in the list '{path}', found {Describe(next)}");
        }
    }

    private static void ExpectMemberEnd(List<Token> tokens, int position, Kind end, string source, string key)
    {
        var next = tokens[position];
        if (next.Kind is Kind.Comma or Kind.NewLine || next.Kind == end) return;
        if (next.Kind == Kind.End) throw Error(source, next, "missing '}' at the end of the file");
        if (next.Text == ":") throw Error(source, next, $"unexpected ':' in the value of '{key}': quote values that contain ':', such as URLs");
        throw Error(source, next, $"expected a new line or ',' after the value of '{key}', found {Describe(next)}");
    }

    private static void SkipSeparators(List<Token> tokens, ref int position)
    {
        while (tokens[position].Kind is Kind.NewLine or Kind.Comma) position++;
    }

    private static void SkipNewLines(List<Token> tokens, ref int position)
    {
        while (tokens[position].Kind == Kind.NewLine) position++;
    }

    private static List<Token> Tokenize(string text, string source)
    {
        var tokens = new List<Token>();
        var line = 1;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\n')
            {
                tokens.Add(new Token(Kind.NewLine, "\n", line++));
                i++;
            }
            else if (char.IsWhiteSpace(c) || c == '\uFEFF')
            {
                i++;
            }
            else if (c == '#' || (c == '/' && i + 1 < text.Length && text[i + 1] == '/'))
            {
                while (i < text.Length && text[i] != '\n') i++;
            }
            else if (c is '{' or '}' or '[' or ']' or ',' or '=' or ':')
            {
                var kind = c switch
                {
                    '{' => Kind.OpenBrace, '}' => Kind.CloseBrace, '[' => Kind.OpenBracket, ']' => Kind.CloseBracket,
                    ',' => Kind.Comma, _ => Kind.Separator,
                };
                tokens.Add(new Token(kind, c.ToString(), line));
                i++;
            }
            else if (c == '+' && i + 1 < text.Length && text[i + 1] == '=')
            {
                tokens.Add(new Token(Kind.Separator, "+=", line));
                i += 2;
            }
            else if (c == '$')
            {
                var close = text.IndexOf('}', i);
                var newLine = text.IndexOf('\n', i);
                if (i + 1 >= text.Length || text[i + 1] != '{' || close < 0 || (newLine >= 0 && newLine < close))
                    throw Error(source, line, "a '$' must start a substitution such as ${orderflow.stream.connect-timeout}");
                tokens.Add(new Token(Kind.Substitution, text[i..(close + 1)], line));
                i = close + 1;
            }
            else if (c == '"')
            {
                tokens.Add(new Token(Kind.Text, ReadQuoted(text, ref i, ref line, source), line));
            }
            else
            {
                var start = i;
                while (i < text.Length && !EndsUnquoted(text, i)) i++;
                if (i == start)
                    throw Error(source, line, $"'{c}' is not allowed outside quotes; quote the value");
                tokens.Add(new Token(Kind.Text, text[start..i].TrimEnd(), line));
            }
        }
        tokens.Add(new Token(Kind.End, "", line));
        return tokens;
    }

    private static bool EndsUnquoted(string text, int i)
    {
        var c = text[i];
        if (char.IsWhiteSpace(c)) return true;
        if (c == '/' && i + 1 < text.Length && text[i + 1] == '/') return true;
        return c is '$' or '"' or '{' or '}' or '[' or ']' or ':' or '=' or ',' or '+' or '#' or '`' or '^' or '?' or '!'
            or '@' or '*' or '&' or '\\';
    }

    private static string ReadQuoted(string text, ref int i, ref int line, string source)
    {
        var startLine = line;
        if (string.CompareOrdinal(text, i, "\"\"\"", 0, 3) == 0)
        {
            var end = text.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
            if (end < 0) throw Error(source, startLine, "unterminated \"\"\" string");
            line += text.AsSpan(i, end - i).Count('\n');
            var value = text[(i + 3)..end];
            i = end + 3;
            return value;
        }

        var builder = new System.Text.StringBuilder();
        for (i++; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '"')
            {
                i++;
                return builder.ToString();
            }
            if (c == '\n') break;
            if (c == '\\' && i + 1 < text.Length) c = text[++i];
            builder.Append(c);
        }
        throw Error(source, startLine, "unterminated string: a '\"' is missing before the end of the line");
    }

    private static string Describe(Token token) => token.Kind switch
    {
        Kind.NewLine => "the end of the line",
        Kind.End => "the end of the file",
        Kind.Text => $"'{token.Text}'",
        _ => $"'{token.Text}'",
    };

    private static ConfigurationException Error(string source, Token token, string message) => Error(source, token.Line, message);

    private static ConfigurationException Error(string source, int line, string message) => new($"{source}:{line}: {message}");
}
