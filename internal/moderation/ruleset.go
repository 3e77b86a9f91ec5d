package moderation

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/commentd/commentd/models"
)

// ruleSet is the policy in force: the configured Policy with admins' settings
// and words merged in, and the bans. It is immutable; a reload swaps it whole.
type ruleSet struct {
	policy   *Policy
	settings models.Settings
	words    []models.Word
	bans     []ban
}

// ban is a models.Ban ready to match.
type ban struct {
	models.Ban
	prefix netip.Prefix // for IP bans
}

func defaultSettings(p *Policy) models.Settings {
	return models.Settings{
		HamThreshold: p.HamThreshold, SpamThreshold: p.SpamThreshold, DiscardAbove: p.DiscardAbove,
		MaxLinks: p.MaxLinks, TrustAfter: p.TrustAfter, HoldFirst: p.HoldFirst, RefuseBanned: p.RefuseBanned,
	}
}

func compile(base *Policy, st models.Settings, words []models.Word, bans []models.Ban) *ruleSet {
	p := *base
	p.HamThreshold, p.SpamThreshold, p.MaxLinks = st.HamThreshold, st.SpamThreshold, st.MaxLinks
	p.DiscardAbove, p.TrustAfter, p.HoldFirst, p.RefuseBanned = st.DiscardAbove, st.TrustAfter, st.HoldFirst, st.RefuseBanned
	p.BlockedWords = append([]string(nil), base.BlockedWords...)
	p.HeldWords = append([]string(nil), base.HeldWords...)
	for _, w := range words {
		if w.Kind == models.WordBlocked {
			p.BlockedWords = append(p.BlockedWords, w.Word)
		} else {
			p.HeldWords = append(p.HeldWords, w.Word)
		}
	}
	rs := &ruleSet{policy: &p, settings: st, words: words}
	for _, b := range bans {
		cb := ban{Ban: b}
		if b.Kind == models.BanIP {
			cb.prefix, _ = parsePrefix(b.Value)
		}
		rs.bans = append(rs.bans, cb)
	}
	return rs
}

// parsePrefix reads an address or a CIDR range.
func parsePrefix(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil
}

// banned returns the first unexpired ban that matches the visitor.
func (rs *ruleSet) banned(n models.NewComment, now time.Time) (models.Ban, bool) {
	ip, ipErr := netip.ParseAddr(n.IP)
	ip = ip.Unmap()
	for _, b := range rs.bans {
		if b.ExpiresAt != nil && !now.Before(*b.ExpiresAt) {
			continue
		}
		switch b.Kind {
		case models.BanEmail:
			if strings.EqualFold(strings.TrimSpace(b.Value), n.Email) {
				return b.Ban, true
			}
		case models.BanAuthor:
			if strings.EqualFold(strings.TrimSpace(b.Value), n.Author) {
				return b.Ban, true
			}
		case models.BanIP:
			if ipErr == nil && b.prefix.IsValid() && b.prefix.Contains(ip) {
				return b.Ban, true
			}
		}
	}
	return models.Ban{}, false
}

// ReloadPolicy reads settings, words and bans from the store and puts them in force.
func (s *Service) ReloadPolicy(ctx context.Context) error {
	st, err := s.store.GetSettings(ctx)
	if errors.Is(err, models.ErrNotFound) {
		st, err = defaultSettings(s.base), nil
	}
	if err != nil {
		return fmt.Errorf("moderation: settings: %w", err)
	}
	words, err := s.store.ListWords(ctx)
	if err != nil {
		return fmt.Errorf("moderation: words: %w", err)
	}
	bans, err := s.store.ListBans(ctx)
	if err != nil {
		return fmt.Errorf("moderation: bans: %w", err)
	}
	s.current.Store(compile(s.base, st, words, bans))
	return nil
}
