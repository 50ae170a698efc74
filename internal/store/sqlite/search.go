package sqlite

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/contoso/contoso-mcp/internal/contoso"
)

// MaxTopK is the most results SearchKnowledge returns.
const MaxTopK = 20

const (
	maxSearchTerms   = 16 // words of a query beyond these are ignored
	maxSearchTermLen = 64 // runes; a longer "word" is cut
)

// stopWords are dropped from a search: they are in almost every document
// and would only add noise to an OR query.
var stopWords = func() map[string]struct{} {
	m := map[string]struct{}{}
	for _, w := range strings.Fields(`
		a about above after again against all also am an and any are as at be because been before being
		below between both but by can could did do does doing done down during each few for from further
		get gets got had has have having he her here hers herself him himself his how i if in into is it
		its itself just let me more most my myself no nor not of off on once only or other our ours
		ourselves out over own please same she should so some such than that the their theirs them
		themselves then there these they this those through to too under until up us very was we were
		what when where which while who whom why will with would you your yours yourself yourselves
		s t d ll m re ve`) {
		m[w] = struct{}{}
	}
	return m
}()

// ftsQuery turns free text into a safe FTS5 query: the words (runs of
// letters and digits) of the text, lower-cased, without stop words or
// repeats, each quoted as a string and joined with OR, so that a natural
// question matches the documents that share any of its words and ranking
// decides the order. Nothing the user typed reaches FTS5 outside double
// quotes, and a term holds only letters and digits, so it cannot close the
// quotes. ok is false when the text has no usable word.
func ftsQuery(text string) (q string, ok bool) {
	var b strings.Builder
	seen := make([]string, 0, maxSearchTerms)
	for len(text) > 0 && len(seen) < maxSearchTerms {
		// Skip to the next letter or digit.
		i := strings.IndexFunc(text, isWordRune)
		if i < 0 {
			break
		}
		text = text[i:]
		j := strings.IndexFunc(text, func(r rune) bool { return !isWordRune(r) })
		if j < 0 {
			j = len(text)
		}
		word := strings.ToLower(text[:j])
		text = text[j:]
		if utf8.RuneCountInString(word) > maxSearchTermLen {
			word = string([]rune(word)[:maxSearchTermLen])
		}
		if _, stop := stopWords[word]; stop || contains(seen, word) {
			continue
		}
		seen = append(seen, word)
		if b.Len() > 0 {
			b.WriteString(" OR ")
		}
		b.WriteByte('"')
		b.WriteString(word)
		b.WriteByte('"')
	}
	return b.String(), b.Len() > 0
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// SearchKnowledge returns at most topK (1 to 20) knowledge documents matching
// the query, best first: BM25 with the title weighted ten times the content.
func (s *Store) SearchKnowledge(ctx context.Context, query string, topK int) ([]contoso.KnowledgeHit, error) {
	if topK < 1 || topK > MaxTopK {
		return nil, contoso.Errorf(contoso.KindInvalid, "topk must be between 1 and %d; got %d", MaxTopK, topK)
	}
	if err := contoso.CheckTextLen("query", query, contoso.SingleLine, 0, contoso.MaxQueryLen); err != nil {
		return nil, err
	}
	q, ok := ftsQuery(query)
	if !ok {
		return nil, contoso.Errorf(contoso.KindInvalid, "the search query has no searchable word: use a few keywords such as \"data overage\" or \"unlock account\"")
	}
	return list(ctx, s.rs.search, scanHit, "searching the knowledge base", q, topK)
}
