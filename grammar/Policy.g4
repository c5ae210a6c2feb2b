// The starkeep policy language (.skp). One combined grammar; code is generated at build time into the build tree
// (compiler/syntax/CMakeLists.txt) and used only by the syntax adapter (compiler/syntax/*.cpp).
//
// The grammar is deliberately generic: a file is a tree of blocks (`tier "daily" { … }`) holding entries
// (`key = value`, or `key >= value` for thresholds). Values are small expressions: literals, lists, calls, dotted
// paths, `a..b` ranges, word phrases (`first sun of month at 01:00`, `one partition`, `6 months`), comparisons and
// boolean operators, top-level comma sequences (`mon,wed,fri at 01:00`) and `tables where <condition>`.
// Which keys exist and what their values mean is decided by semantic analysis (compiler/sema), so that misspelt
// keys and words get precise diagnostics with suggestions instead of generic syntax errors.
//
// Separators: newlines or ';'. Newlines are ignored inside [ ] and ( ) and after 'and' / 'or'.
// Comments: '#' or '//' to the end of the line.
grammar Policy;

document   : sep* (block sep*)* EOF ;

sep        : NL | SEMI ;

block      : kind=IDENT blockName? LBRACE body RBRACE ;
blockName  : STRING | UNTERMINATED_STRING ;
body       : sep* (item sep*)* ;
item       : entry | block ;
entry      : key=IDENT op=(ASSIGN | GE | LE | GT | LT | EQ | NE) value ;

value      : subject=IDENT WHERE expr      # whereValue
           | expr (COMMA expr)*            # sequenceValue
           ;

expr       : andExpr (OR NL* andExpr)* ;
andExpr    : notExpr (AND NL* notExpr)* ;
notExpr    : NOT notExpr                   # negation
           | relation                      # plainRelation
           ;
relation   : lhs=phrase ( op=(EQ | NE | GE | LE | GT | LT) rhs=phrase
                        | op=IN rhs=phrase
                        | op=MATCHES rhs=phrase )? ;
phrase     : atom+ ;

atom       : STRING                                          # stringAtom
           | UNTERMINATED_STRING                             # unterminatedStringAtom
           | QUANTITY                                        # quantityAtom
           | PERCENT                                         # percentAtom
           | NUMBER                                          # numberAtom
           | TIME                                            # timeAtom
           | STRING_LIST                                     # stringListAtom
           | DATE (DOTDOT DATE)?                             # dateAtom
           | LBRACK NL* (expr (NL* COMMA NL* expr)* (NL* COMMA)?)? NL* RBRACK   # listAtom
           | callee=IDENT LPAREN NL* (argument (NL* COMMA NL* argument)*)? NL* RPAREN  # callAtom
           | path (DOTDOT path)?                             # pathAtom
           | LPAREN NL* expr NL* RPAREN                      # groupAtom
           ;
argument   : (name=IDENT ASSIGN)? expr ;
path       : IDENT (DOT IDENT)* ;

// ---- lexer ----
AND        : 'and' ;
OR         : 'or' ;
NOT        : 'not' ;
IN         : 'in' ;
MATCHES    : 'matches' ;
WHERE      : 'where' ;

LBRACE     : '{' ;
RBRACE     : '}' ;
LBRACK     : '[' ;
RBRACK     : ']' ;
LPAREN     : '(' ;
RPAREN     : ')' ;
COMMA      : ',' ;
SEMI       : ';' ;
DOTDOT     : '..' ;
DOT        : '.' ;
EQ         : '==' ;
NE         : '!=' ;
GE         : '>=' ;
LE         : '<=' ;
GT         : '>' ;
LT         : '<' ;
ASSIGN     : '=' ;

// "14d", "2h", "90m", "2w" (validated by sema; "14x" lexes here and gets a precise diagnostic).
QUANTITY   : DIGIT+ ('.' DIGIT+)? [a-zA-Z_] [a-zA-Z0-9_]* ;
PERCENT    : DIGIT+ ('.' DIGIT+)? '%' ;
// "01:00"; ":05" (the minute past each hour: `every hour at :05`) is a TIME without hours, told apart by sema.
TIME       : DIGIT* ':' DIGIT+ ;
// Schedule dates: "2026-01-04" (an anchor), "12-24" (a day of every year, in blackouts); validated by sema.
DATE       : DIGIT+ '-' DIGIT+ ('-' DIGIT+)? ;
NUMBER     : '-'? DIGIT+ ('.' DIGIT+)? ;
IDENT      : [a-zA-Z_] [a-zA-Z0-9_]* ;
STRING     : STRING_BODY ;
// A bracketed list of plain strings (`["a", "b"]`, across lines too) is one token: as a listAtom each name would
// cost a parse-tree branch of six rule contexts (about 1.8 KB), so a list of 25,000 database names took 180 bytes
// of memory per input byte. The AST builder splits it into the same list of strings a listAtom gives. Anything
// else between brackets (a comment, a name, a nested list) does not match, and the list lexes token by token.
STRING_LIST : '[' LIST_SPACE* STRING_BODY (LIST_SPACE* ',' LIST_SPACE* STRING_BODY)* (LIST_SPACE* ',')? LIST_SPACE* ']' ;
fragment STRING_BODY : '"' ( '\\' ~[\r\n] | ~["\\\r\n] )* '"' ;
fragment LIST_SPACE : [ \t\f\r\n] ;
// A string that reaches the end of the line: kept as a token so the parser recovers; reported by the adapter.
UNTERMINATED_STRING : '"' ( '\\' ~[\r\n] | ~["\\\r\n] )* ;

HASH_COMMENT : '#' ~[\r\n]* -> skip ;
LINE_COMMENT : '//' ~[\r\n]* -> skip ;
// One token for a line end and the blank and comment-only lines after it: a separator per line would cost a token
// and a parse-tree node each (about 1.8 KB per line of a file of comments).
NL         : LINE_END ([ \t\f]* (LINE_COMMENT_TEXT)? LINE_END)* ;
fragment LINE_END : '\r'? '\n' | '\r' ;
fragment LINE_COMMENT_TEXT : ('#' | '//') ~[\r\n]* ;
WS         : [ \t\f]+ -> skip ;
// Anything else: hidden from the parser, reported by the adapter as SK0104.
ERROR_CHAR : . -> channel(HIDDEN) ;

fragment DIGIT : [0-9] ;
