package commands

import (
	"context"

	"github.com/keeper-go/keeper/internal/keeper/msp"
	"github.com/keeper-go/keeper/internal/report"
)

// msp-info --pricing: the MSP price list from Keeper's BI service
// (Commander's commands/msp.py MSPInfoCommand with -p, MSPMixin).

// priceJSON is one price in msp-info --pricing --format json.
type priceJSON struct {
	Category string `json:"category"`
	Name     string `json:"name"`
	Code     string `json:"code"`
	Price    string `json:"price"`
}

// mspPricing reads the add-on mapping and the price list.
func mspPricing(ctx context.Context, c msp.RESTCaller) (msp.Pricing, map[int32]string, error) {
	addOns, err := msp.AddOnMapping(ctx, c)
	if err != nil {
		return msp.Pricing{}, nil, err
	}
	p, err := msp.GetPricing(ctx, c, addOns)
	if err != nil {
		return msp.Pricing{}, nil, err
	}
	return p, addOns, nil
}

// pricingReport lists the prices: products in MSP_PLANS order, then
// add-ons in MSP_ADDONS order, then file plans in MSP_FILE_PLANS order;
// only what the price list has.
func pricingReport(p msp.Pricing) report.Report {
	r := report.Report{Headers: []string{"category", "name", "code", "price"}}
	out := []priceJSON{}
	add := func(category, name, code string, pr msp.Price) {
		j := priceJSON{Category: category, Name: name, Code: code, Price: priceText(pr, true)}
		r.Rows = append(r.Rows, []any{j.Category, j.Name, j.Code, j.Price})
		out = append(out, j)
	}
	for _, pl := range msp.Plans {
		if pr, ok := p.Plans[pl.Code]; ok {
			add("Product", pl.Display, pl.Code, pr)
		}
	}
	for _, a := range msp.AddOns {
		if pr, ok := p.AddOns[a.Code]; ok {
			add("Addon", a.Display, a.Code, pr)
		}
	}
	for _, f := range msp.FilePlans {
		if pr, ok := p.FilePlans[f.Code]; ok {
			add("File Plan", f.Display, f.Code, pr)
		}
	}
	r.JSON = out
	return r
}

// priceText is Commander's MSPMixin.price_text (withUnit) and
// price_text_short: the currency ($, €, £, ¥, or the currency's name),
// Python's str() of the amount (45.0, 3.75), then /unit: user/month,
// month, "50k API calls/month" or the unit's name.
func priceText(p msp.Price, withUnit bool) string {
	cur := p.CurrencyName()
	switch cur {
	case "USD":
		cur = "$"
	case "EUR":
		cur = "\u20ac"
	case "GBP":
		cur = "\u00a3"
	case "JPY":
		cur = "\u00a5"
	}
	s := cur + report.FormatPyFloat(p.Amount)
	if !withUnit {
		return s
	}
	unit := p.UnitName()
	switch unit {
	case "USER_MONTH":
		unit = "user/month"
	case "MONTH":
		unit = "month"
	case "USER_CONSUMED_MONTH":
		unit = "50k API calls/month"
	}
	return s + "/" + unit
}
