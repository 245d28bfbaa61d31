// Package plottest summarises SVG pictures for tests: a picture is checked
// by its structure (which elements, which texts, how many arcs), which
// stays the same when a renderer moves a line by a hundredth of a point,
// not by its pixels.
package plottest

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
)

// Summary decodes the whole SVG document, so that one that is not
// well-formed is an error, and describes it: the number of elements by tag,
// the paths that are filled and stroked, the arcs (circles are drawn as two
// arcs; "round" says whether every arc has equal radii), and the text of
// every text element in document order.
func Summary(svg []byte) (string, error) {
	d := xml.NewDecoder(bytes.NewReader(svg))
	d.Strict = true
	count := map[string]int{}
	var texts []string
	var text *strings.Builder
	fills, strokes, arcs, oval := 0, 0, 0, 0
	depth := 0
	root := ""
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", fmt.Errorf("the SVG is not well-formed: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				if root != "" {
					return "", fmt.Errorf("the SVG has two root elements")
				}
				root = t.Name.Local
			}
			depth++
			count[t.Name.Local]++
			switch t.Name.Local {
			case "text":
				text = &strings.Builder{}
			case "path":
				style, path := attr(t, "style"), attr(t, "d")
				if strings.Contains(style, "fill:") && !strings.Contains(style, "fill:none") {
					fills++
				}
				if strings.Contains(style, "stroke:") {
					strokes++
				}
				for _, m := range arcRE.FindAllStringSubmatch(path, -1) {
					arcs++
					if m[1] != m[2] {
						oval++
					}
				}
			}
		case xml.EndElement:
			depth--
			if t.Name.Local == "text" && text != nil {
				texts = append(texts, strings.TrimSpace(text.String()))
				text = nil
			}
		case xml.CharData:
			if text != nil {
				text.Write(t)
			}
		}
	}
	if root != "svg" {
		return "", fmt.Errorf("the document's root is %q, not svg", root)
	}
	var b strings.Builder
	tags := make([]string, 0, len(count))
	for k := range count {
		tags = append(tags, k)
	}
	slices.Sort(tags)
	b.WriteString("elements:")
	for _, k := range tags {
		fmt.Fprintf(&b, " %s=%d", k, count[k])
	}
	fmt.Fprintf(&b, "\npaths: %d filled, %d stroked\narcs: %d", fills, strokes, arcs)
	if arcs > 0 {
		if oval == 0 {
			b.WriteString(" (all round)")
		} else {
			fmt.Fprintf(&b, " (%d not round)", oval)
		}
	}
	b.WriteString("\ntexts:\n")
	for _, t := range texts {
		fmt.Fprintf(&b, "  %s\n", t)
	}
	return b.String(), nil
}

// arcRE matches an SVG arc command's two radii.
var arcRE = regexp.MustCompile(`A\s*([-0-9.e]+)[ ,]+([-0-9.e]+)`)

func attr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}
