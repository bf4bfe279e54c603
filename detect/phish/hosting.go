package phish

import "strings"

// Hosting evidence: where a link lives says a lot about who wrote the
// page. Anyone can publish under these domains in minutes and for free, so
// the part of the host the customer chose is judged like a registrable
// domain (paypal-verify.netlify.app is impersonation), and a lure that
// points there is more suspicious than one pointing at a business's own
// domain. None of this is phishing on its own: businesses use Wix too.

// Hosting kinds, used in the reason "hosting:<kind>".
const (
	kindFreeHosting = "free-hosting" // site builders and static hosts
	kindUserContent = "user-content" // a big brand's service where users publish (docs.google.com)
	kindDynamicDNS  = "dynamic-dns"
	kindTunnel      = "tunnel"
	kindIPFS        = "ipfs"
	kindForm        = "form" // form builders that collect credentials
)

// Scores of hosting evidence (see the reasons table in docs/detection.md).
const (
	scoreFreeHosting = 0.25
	scoreUserContent = 0.3
	scoreDynamicDNS  = 0.35
	scoreTunnel      = 0.4
	scoreIPFS        = 0.45
	scoreForm        = 0.3
)

func hostingScore(kind string) float64 {
	switch kind {
	case kindUserContent:
		return scoreUserContent
	case kindDynamicDNS:
		return scoreDynamicDNS
	case kindTunnel:
		return scoreTunnel
	case kindIPFS:
		return scoreIPFS
	case kindForm:
		return scoreForm
	}
	return scoreFreeHosting
}

// hostingDomains maps a domain under which customers pick the subdomain to
// its kind. Brand-owned platforms (web.app, github.io …) are also listed in
// brands.json as platforms so that their owner's brand never counts.
func hostingDomains() map[string]string {
	m := map[string]string{}
	add := func(kind, list string) {
		for d := range strings.FieldsSeq(list) {
			m[d] = kind
		}
	}
	add(kindFreeHosting, `000webhostapp.com 000webhost.com weebly.com weeblysite.com wixsite.com wix.com
		wixstudio.com editorx.io square.site godaddysites.com webflow.io framer.app framer.website
		carrd.co strikingly.com mystrikingly.com jimdosite.com jimdofree.com yolasite.com site123.me
		webnode.page webnode.com tilda.ws ucoz.net ucoz.com ukit.me netlify.app netlify.com vercel.app
		now.sh surge.sh glitch.me repl.co replit.app replit.dev onrender.com fly.dev herokuapp.com
		pages.dev workers.dev github.io gitlab.io bitbucket.io web.app firebaseapp.com appspot.com
		azurewebsites.net azurestaticapps.net blob.core.windows.net web.core.windows.net cloudfront.net
		amplifyapp.com s3.amazonaws.com blogspot.com wordpress.com business.site
		my.canva.site canva.site gitbook.io notion.site mybluehost.me hostingersite.com
		infinityfreeapp.com rf.gd epizy.com wuaze.com free.nf 42web.io byethost.com freehostia.com
		atwebpages.com biz.nf tiiny.site codepen.io stackblitz.io web-hosting.com myshopify.com
		backblazeb2.com r2.dev digitaloceanspaces.com ondigitalocean.app pythonanywhere.com
		translate.goog weblium.site mobirisesite.com wpcomstaging.com blogspot.co.uk ghost.io
		typedream.app softr.app bubbleapps.io glide.page linktr.ee beacons.ai taplink.cc`)
	add(kindUserContent, `sites.google.com docs.google.com drive.google.com script.google.com storage.googleapis.com
		firebasestorage.googleapis.com googleusercontent.com forms.office.com onedrive.live.com 1drv.ms
		sharepoint.com dropboxusercontent.com docs.zoho.com sway.office.com sway.cloud.microsoft
		telegra.ph`)
	add(kindForm, `forms.gle jotform.com form.jotform.com typeform.com formstack.com formsite.com
		123formbuilder.com wufoo.com cognitoforms.com paperform.co tally.so getform.io formspree.io`)
	add(kindDynamicDNS, `duckdns.org no-ip.com no-ip.org no-ip.biz ddns.net hopto.org zapto.org
		sytes.net myftp.org myftp.biz servehttp.com serveftp.com redirectme.net dynu.net dynu.com
		freedns.afraid.org mooo.com chickenkiller.com strangled.net ignorelist.com dyndns.org
		dnsalias.com dynv6.net dedyn.io ddnsfree.com ddnsking.com 3utilities.com bounceme.net
		webhop.me myddns.me ooguy.com kozow.com accesscam.org now-dns.com`)
	add(kindTunnel, `ngrok.io ngrok-free.app ngrok.app ngrok.dev trycloudflare.com loca.lt localtunnel.me
		serveo.net localhost.run lhr.life pinggy.link pinggy.io telebit.io ply.gg devtunnels.ms
		tunnelmole.net bore.pub`)
	add(kindIPFS, `ipfs.io dweb.link cloudflare-ipfs.com ipfs.dweb.link nftstorage.link w3s.link
		infura-ipfs.io pinata.cloud mypinata.cloud fleek.co 4everland.io ipfs.fleek.co`)
	return m
}

// hostingOf returns the hosting domain a host is on (the longest listed
// suffix) and its kind; "" when none. Paths matter for one service only
// (sites.google.com is listed by host).
func (a *Analyzer) hostingOf(h string) (string, string) {
	for d := h; ; {
		if k, ok := a.hosting[d]; ok {
			return d, k
		}
		i := strings.IndexByte(d, '.')
		if i < 0 || !strings.Contains(d[i+1:], ".") {
			return "", ""
		}
		d = d[i+1:]
	}
}

// ipfsPath reports a gateway-style IPFS path (/ipfs/Qm…, /ipns/…) on any host.
func ipfsPath(p string) bool {
	return strings.HasPrefix(p, "/ipfs/") || strings.HasPrefix(p, "/ipns/")
}
