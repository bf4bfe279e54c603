package scenario

import "strconv"

// trafficKind is what a customer mostly sends; it shapes bodies and rhythm.
type trafficKind int

const (
	trafficOTP trafficKind = iota
	trafficAppointments
	trafficShipping
)

// profile describes one customer: the ISV itself (main account) or one of
// its customers (a subaccount).
type profile struct {
	Name      string
	Slug      string
	Domain    string
	TZ        string
	Home      []string // home countries, the first is where most traffic goes
	Kind      trafficKind
	Lang      string  // en | de
	Share     float64 // relative message volume
	CallRatio float64 // calls per message
}

func mainProfile() profile {
	return profile{Name: "Corvid Notify", Slug: "corvid", Domain: "corvidnotify.io", TZ: "America/New_York",
		Home: []string{"US", "CA", "GB"}, Kind: trafficOTP, Lang: "en", Share: 1, CallRatio: 0.02}
}

// subProfiles are the ISV's customers, used in order and cycled.
func subProfiles() []profile {
	return []profile{
		{Name: "Harbor Lane Dental", Slug: "harborlane", Domain: "harborlanedental.com", TZ: "America/New_York",
			Home: []string{"US"}, Kind: trafficAppointments, Lang: "en", Share: 3, CallRatio: 0.15},
		{Name: "Pinecrest Outfitters", Slug: "pinecrest", Domain: "pinecrestoutfitters.co.uk", TZ: "Europe/London",
			Home: []string{"GB", "IE"}, Kind: trafficShipping, Lang: "en", Share: 4, CallRatio: 0.03},
		{Name: "Maple Cart", Slug: "maplecart", Domain: "maplecart.ca", TZ: "America/Toronto",
			Home: []string{"CA", "US"}, Kind: trafficShipping, Lang: "en", Share: 3, CallRatio: 0.04},
		{Name: "Sunline Fitness", Slug: "sunline", Domain: "sunlinefitness.com", TZ: "America/Los_Angeles",
			Home: []string{"US"}, Kind: trafficAppointments, Lang: "en", Share: 2, CallRatio: 0.10},
		{Name: "Kestrel Pay", Slug: "kestrelpay", Domain: "kestrelpay.com", TZ: "America/Chicago",
			Home: []string{"US", "CA"}, Kind: trafficOTP, Lang: "en", Share: 5, CallRatio: 0.02},
		{Name: "Nordwind Logistik", Slug: "nordwind", Domain: "nordwind-logistik.de", TZ: "Europe/Berlin",
			Home: []string{"DE"}, Kind: trafficShipping, Lang: "de", Share: 3, CallRatio: 0.05},
		{Name: "Bondi Physio", Slug: "bondiphysio", Domain: "bondiphysio.com.au", TZ: "Australia/Sydney",
			Home: []string{"AU"}, Kind: trafficAppointments, Lang: "en", Share: 2, CallRatio: 0.12},
	}
}

// subProfile returns the profile of the i-th subaccount (0-based); after the
// list is used up names get a number so that every subaccount is distinct.
func subProfile(i int) profile {
	ps := subProfiles()
	p := ps[i%len(ps)]
	if n := i / len(ps); n > 0 {
		p.Name += " " + strconv.Itoa(n+1)
		p.Slug += strconv.Itoa(n + 1)
	}
	return p
}

// hourWeights is the local-time hour-of-day shape of a traffic kind.
func hourWeights(k trafficKind) [24]float64 {
	switch k {
	case trafficAppointments:
		return [24]float64{0, 0, 0, 0, 0, 0, 0.2, 1, 6, 8, 8, 7, 5, 5, 6, 6, 5, 3, 1, 0.5, 0.2, 0, 0, 0}
	case trafficShipping:
		return [24]float64{0.1, 0, 0, 0, 0, 0, 0.3, 2, 4, 6, 7, 7, 6, 6, 6, 6, 5, 4, 3, 2.5, 2, 1, 0.4, 0.2}
	}
	// Sign-in codes follow people's waking hours.
	return [24]float64{1, 0.6, 0.4, 0.3, 0.3, 0.5, 1.2, 2.5, 4, 5, 5.5, 5.5, 5, 5, 5, 5, 4.8, 4.5, 4, 3.5, 3, 2.5, 2, 1.5}
}

// weekdayFactors scale daily volume, Sunday first (time.Weekday order).
func weekdayFactors(k trafficKind) [7]float64 {
	switch k {
	case trafficAppointments:
		return [7]float64{0.1, 1.15, 1.05, 1.0, 1.0, 0.9, 0.3}
	case trafficShipping:
		return [7]float64{0.4, 1.2, 1.1, 1.0, 1.0, 1.0, 0.6}
	}
	return [7]float64{0.55, 1.0, 1.05, 1.05, 1.0, 0.95, 0.6}
}

func firstNames() []string {
	return []string{"Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "James", "Mia", "Lucas",
		"Amelia", "Mason", "Harper", "Ethan", "Chloe", "Daniel", "Grace", "Henry", "Zoe", "Jack"}
}

func lastNames() []string {
	return []string{"Whitfield", "Okafor", "Lindqvist", "Moreno", "Chen", "Patel", "Kowalski", "Brennan", "Nakamura", "Dubois"}
}
